"""Where posts come from (posts table or staff messages) and which groups are checked."""

from __future__ import annotations

import polars as pl
import pytest

from sqops.errors import UsageError


def _staff_msgs(h, rows):
    return h.frame("msg_id, ts, group_id, member_id, msg_type, content, role", rows)


def test_staff_messages_stand_in_for_posts(h):
    messages = _staff_msgs(
        h,
        [
            ("1", "2026-10-12 08:31:00", "g1", "s1", "image", None, None),  # push starts
            (
                "2",
                "2026-10-12 08:35:00",
                "g1",
                "s1",
                "text",
                "早安各位",
                None,
            ),  # same burst (4 min)
            (
                "3",
                "2026-10-12 08:39:00",
                "g1",
                "s1",
                "text",
                "记得防晒",
                None,
            ),  # same burst (4 min)
            ("4", "2026-10-12 08:45:00", "g1", "s1", "text", "还有一件事", None),  # 6 min: new post
            ("5", "2026-10-12 12:00:00", "g1", "s1", "sticker", None, None),  # not a push type
            ("6", "2026-10-12 12:05:00", "g1", "s1", "system", "入群通知", None),  # not a push type
            ("7", "2026-10-12 16:00:00", "g1", "x9", "link", "秒杀链接", "staff"),  # staff by role
            ("8", "2026-10-12 09:00:00", "g1", "m1", "text", "早", None),  # a member
        ],
    )
    answer = _staff_msgs(h, [("9", "2026-10-12 18:00:00", "g1", "s1", "text", "好的", None)])
    reply_to = h.frame("reply_to", [(None,)] * messages.height + [("8",)])
    messages = messages.vstack(answer).hstack(reply_to)  # 9 answers message 8: not a push
    adh = h.run(messages=messages, keep_text=True)
    assert adh.basis == "messages"
    assert h.statuses(adh) == [
        ("2026-10-12", "morning", "08:30", "on_time", "1"),
        ("2026-10-12", None, None, "unplanned", "4"),
        ("2026-10-12", None, None, "unplanned", "7"),
    ]
    rows = adh.group("g1").rows
    assert rows["post_title"].to_list() == ["早安各位", "还有一件事", "秒杀链接"]
    # the member's 09:00 message answers every post before it within 2 h
    assert rows["replies_2h"].to_list() == [1, 1, 0]
    assert adh.opens_available is False
    assert any("staff messages" in n.en for n in adh.notes)


def test_integer_message_ids_become_text_post_ids(h):
    # a Parquet export keeps msg_id as integers; the post id made from one is still text
    messages = _staff_msgs(
        h,
        [
            ("101", "2026-10-12 08:31:00", "g1", "s1", "image", None, None),
            ("102", "2026-10-12 09:00:00", "g1", "m1", "text", "早", None),
            ("103", "2026-10-12 18:00:00", "g1", "s1", "text", "好的", None),
        ],
    ).with_columns(pl.col("msg_id").cast(pl.Int64))
    adh = h.run(messages=messages)
    assert [(s[3], s[4]) for s in h.statuses(adh)] == [("on_time", "101"), ("unplanned", "103")]
    assert adh.group("g1").rows.schema["post_id"] == pl.String


def test_staff_messages_without_chat_text(h):
    # the report's table layer does not keep content (no titles) but keeps reply_to (the
    # report's service section reads it): 9 answers message 8, so it is not a push
    messages = _staff_msgs(
        h,
        [
            ("1", "2026-10-12 08:31:00", "g1", "s1", "image", None, None),
            ("8", "2026-10-12 09:00:00", "g1", "m1", "text", "早", None),
            ("9", "2026-10-12 18:00:00", "g1", "s1", "text", "好的", None),
        ],
    ).with_columns(reply_to=pl.Series([None, None, "8"], dtype=pl.String))
    adh = h.run(messages=messages)
    assert [(s[3], s[4]) for s in h.statuses(adh)] == [("on_time", "1")]
    assert adh.group("g1").rows["post_title"].to_list() == [None]


def test_without_msg_type_every_staff_message_is_a_post(h):
    messages = h.frame(
        "ts, group_id, member_id",
        [("2026-10-12 08:30:00", "g1", "s1"), ("2026-10-12 12:00:00", "g1", "s1"),
         ("2026-10-12 09:00:00", "g1", "m1")],
    )  # fmt: skip
    adh = h.run(messages=messages)
    assert [s[3] for s in h.statuses(adh)] == ["on_time", "unplanned"]
    # without msg_id, a post id is made from the group and the time
    assert h.statuses(adh)[0][4] == "g1@2026-10-12T00:30:00.000000Z"


GROUPS = """\
cadence:
  daily:
    - {id: morning, time: "08:30", title: 早安, kind: activation}
groups:
  - {id: g1, name: 上海群}
  - {id: g3, name: 南京群}
"""


def test_only_the_sops_groups_are_checked(h):
    messages = h.frame(
        "ts, group_id, member_id",
        [("2026-10-12 09:00:00", "g1", "m1"), ("2026-10-12 09:00:00", "g2", "m2")],
    )
    adh = h.run(h.sop(GROUPS), messages=messages)
    assert [g.group_id for g in adh.groups] == ["g1"]
    notes = " | ".join(n.en for n in adh.notes)
    assert "not among the SOP's groups and were not checked: g2" in notes
    assert "no data for these groups: g3" in notes


def test_group_filter(h):
    messages = h.frame(
        "ts, group_id, member_id",
        [("2026-10-12 09:00:00", "g1", "m1"), ("2026-10-12 09:00:00", "g2", "m2")],
    )
    adh = h.run(messages=messages, groups=["g2"])
    assert [g.group_id for g in adh.groups] == ["g2"]
    with pytest.raises(UsageError) as exc:
        h.run(messages=messages, groups=["g9"])
    assert "no group with id 'g9'" in exc.value.render("en")


def test_without_sop_groups_every_data_group_follows_the_sop(h):
    messages = h.frame(
        "ts, group_id, member_id",
        [("2026-10-12 09:00:00", "b", "m1"), ("2026-10-13 09:00:00", "a", "m2")],
    )
    adh = h.run(messages=messages)
    assert [(g.group_id, g.counts.planned, g.counts.missed) for g in adh.groups] == [
        ("a", 1, 1),
        ("b", 1, 1),
    ]
    assert (adh.fleet.counts.planned, adh.fleet.discipline.days) == (2, 2)


def test_an_sop_without_cadence_makes_every_post_unplanned(h):
    adh = h.run(
        h.sop("cadence: {}\n"),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:30:00")),
    )
    c = adh.group("g1").counts
    assert (c.planned, c.unplanned, c.posts) == (0, 1, 1)
    assert c.on_time_rate is None
    assert adh.group("g1").scope.items == []
    from sqops.adherence import render_html, render_md, to_json

    assert "—" in render_md(adh, "en")  # rates shown as unavailable, not 0
    assert render_html(adh, "zh").startswith("<!DOCTYPE html>")
    assert '"on_time_rate": null' in to_json(adh)


def test_default_as_of_is_the_latest_day_of_any_table(h):
    orders = h.frame("order_id, ts, member_id, amount", [("o1", "2026-10-14 12:00:00", "m1", "10")])
    adh = h.run(
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:30:00")),
        orders=orders,
    )
    assert adh.as_of.isoformat() == "2026-10-14"  # as the report computes it
    assert adh.group("g1").last_day.isoformat() == "2026-10-12"  # the data of the group ends


def test_a_data_span_longer_than_a_plan_is_a_usage_error(h):
    # the plan is expanded in a thread beside the polars queries: its error still reaches the
    # caller as the usage error it is, not as a traceback
    messages = h.msgs(("2016-01-04 09:00:00", "m1"), ("2026-10-12 09:00:00", "m1"))
    with pytest.raises(UsageError) as exc:
        h.run(messages=messages)
    assert "more than 3660" in exc.value.render("en")


MEETING_AND_WELCOME = """\
cadence:
  daily:
    - {id: meeting, time: "09:00", title: 晨会, kind: review}
    - {id: welcome, time: "09:30", title: 欢迎新人, kind: activation}
"""


def test_internal_items_are_not_matched_against_chat_messages(h):
    """Issue #19: with no posts table, a staff welcome sent at 09:01 was taken as the 09:00
    team meeting (kind review: not pushed to the group, 1 min away) and the 09:30 welcome
    (29 min away) was marked missed. Only pushed items are matched against the chat: the
    09:01 message is the welcome, 29 min early, inside the ±30 min tolerance; the meeting is
    not checkable from chat data and is left out of the rates."""
    messages = _staff_msgs(
        h,
        [
            ("1", "2026-10-12 09:01:00", "g1", "s1", "text", "欢迎新朋友！", None),
            ("2", "2026-10-12 10:10:00", "g1", "m1", "text", "谢谢", None),
        ],
    )
    adh = h.run(h.sop(MEETING_AND_WELCOME), messages=messages, keep_text=True)
    assert adh.basis == "messages"
    assert h.statuses(adh) == [
        ("2026-10-12", "meeting", "09:00", "not_checkable", None),
        ("2026-10-12", "welcome", "09:30", "on_time", "1"),
    ]
    rows = adh.group("g1").rows
    assert rows["delta_min"].to_list() == [None, -29.0]
    c = adh.group("g1").counts
    # planned 2 = 1 checked (on time) + 1 not checkable; the rates count the checked one only
    assert (c.planned, c.not_checkable, c.on_time, c.missed, c.unplanned) == (2, 1, 1, 0, 0)
    assert (c.on_time_rate, c.done_rate) == (1.0, 1.0)
    meeting = adh.group("g1").scope.item("meeting")
    assert (meeting.planned, meeting.not_checkable, meeting.on_time_rate) == (1, 1, None)
    assert adh.fleet.counts.not_checkable == 1
    # every output says so: a note, the JSON counts and rows, the Markdown and HTML tables
    note = next(n for n in adh.notes if "internal" in n.en)
    assert "review" in note.en and "晨会" in note.en and "无法用聊天数据核对" in note.zh
    doc = adh.to_dict()
    assert doc["groups"][0]["counts"]["not_checkable"] == 1
    assert doc["groups"][0]["items"][0]["not_checkable"] == 1
    assert doc["groups"][0]["rows"][0]["status"] == "not_checkable"
    from sqops.adherence.render import render_html_section, render_md

    for lang, said in (("zh", "无法从聊天核对"), ("en", "not checkable from chat")):
        assert said in render_md(adh, lang) and said in render_html_section(adh, lang)
    assert "○" in render_html_section(adh, "en")


def test_internal_items_are_still_matched_with_a_posts_table(h):
    # a posts table says what the team pushed, labelled: nothing is guessed from the chat
    p = h.posts(("p1", "2026-10-12 09:01:00", "activation", "欢迎新人"))
    adh = h.run(h.sop(MEETING_AND_WELCOME), posts=p, messages=h.msgs(("2026-10-12 10:10", "m1")))
    assert adh.basis == "posts"
    assert [(s[1], s[3]) for s in h.statuses(adh)] == [
        ("meeting", "missed"),
        ("welcome", "on_time"),
    ]
    assert adh.group("g1").counts.not_checkable == 0
