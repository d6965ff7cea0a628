"""``sqops notify`` end to end against a local robot: each platform's payload shape, splitting,
DingTalk's and Feishu's signatures, retries, error codes and the key never shown."""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import socket
import urllib.parse
from pathlib import Path

import pytest
from tests.notify.conftest import KEY, SECRET, SOP, Robot
from typer.testing import CliRunner

from sqops.cli import app

DAY = "2026-12-12"  # a Saturday and the 双十二 campaign day


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, ["notify", *args], env=env)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def assert_masked(*texts: str) -> None:
    for text in texts:
        for s in (KEY, SECRET, urllib.parse.quote(KEY), urllib.parse.quote(SECRET)):
            assert s not in text


def plan_args(to: str, *more: str) -> list[str]:
    return ["plan", str(SOP), "--day", DAY, "--to", to, "--webhook-env", "HOOK", *more]


def test_wecom_markdown_one_message(robot: Robot) -> None:
    env = {"HOOK": robot.url(f"/cgi-bin/webhook/send?key={KEY}")}
    code, out, err = run(plan_args("wecom", "--group", "g01"), env)
    assert code == 0, err
    assert len(robot.seen) == 1
    seen = robot.seen[0]
    assert seen.query == {"key": KEY}
    assert seen.headers["Content-Type"].startswith("application/json")
    body = seen.json
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    # g01 on 2026-12-12: morning 08:30 + tip 15:00 (苏内容, content), d1212 10:00 + perk 20:00
    # (陈活动, events); no countdown (the campaign day itself)
    assert content.startswith(
        "## 青禾护肤研究所 · 2026-12-12 周六 运营安排\n### 苏内容（内容官 · staff\\_su）"
    )
    assert content.count("\n- **") == 4
    assert "- **10:00** 上海一群 · 双十二囤货节" in content
    assert "> 双十二囤货节今天正式开始！群内专享价全天有效，有问题找陈活动。" in content
    assert content.index("苏内容") < content.index("陈活动")  # SOP role order
    assert "posted 1" in err or "已发送 1 条" in err
    assert_masked(out, err)


def test_wecom_splits_at_lines_within_4096_bytes(robot: Robot, tmp_path: Path) -> None:
    sop = tmp_path / "sop.yaml"
    shutil.copytree(SOP.parent / "scripts", tmp_path / "scripts")
    extra = "".join(
        f"  - {{id: x{i:02d}, name: 测试群{i:02d}号*星*_x_, launched_on: 2026-10-01, vars: {{city: 测试}}}}\n"
        for i in range(30)
    )
    sop.write_text(SOP.read_text(encoding="utf-8") + extra, encoding="utf-8")
    env = {"HOOK": robot.url(f"/send?key={KEY}")}
    code, out, err = run(
        ["plan", str(sop), "--day", DAY, "--to", "wecom", "--webhook-env", "HOOK"], env
    )
    assert code == 0, err
    contents = [s.json["markdown"]["content"] for s in robot.seen]
    # 33 groups × 4 items, each item two lines of ~70-150 bytes: well over one 4096-byte message
    assert len(contents) >= 3
    n = len(contents)
    for i, c in enumerate(contents, start=1):
        assert len(c.encode("utf-8")) <= 4096
        assert c.split("\n")[0] == f"## 青禾护肤研究所 · 2026-12-12 周六 运营安排 ({i}/{n})"
        assert not c.endswith("\n")
    lines = [ln for c in contents for ln in c.split("\n")[1:]]
    # every item once (33 × 4), whole: no line was cut
    assert sum(ln.startswith("- **") for ln in lines) == 132
    assert all(ln.startswith(("- **", "> ", "### ")) or ln == "" for ln in lines)
    # user text escaped for Markdown
    assert "测试群00号\\*星\\*\\_x\\_ · 早安护肤提醒" in "\n".join(lines)


def test_dingtalk_signed_url(robot: Robot) -> None:
    env = {"HOOK": robot.url(f"/robot/send?access_token={KEY}"), "SEC": SECRET}
    code, out, err = run(plan_args("dingtalk", "--group", "g02", "--secret-env", "SEC"), env)
    assert code == 0, err
    q = robot.seen[0].query
    assert q["access_token"] == KEY
    ts = q["timestamp"]
    assert ts.isdigit() and len(ts) == 13  # milliseconds
    # the signature computed here, independently: HmacSHA256(secret, "ts\nsecret"), base64
    mac = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert q["sign"] == base64.b64encode(mac).decode()  # parse_qsl undid the url-encoding
    body = robot.seen[0].json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "青禾护肤研究所 · 2026-12-12 周六 运营安排"
    assert "\n\n- **08:30** 杭州一群 · 早安护肤提醒\n\n" in body["markdown"]["text"]
    assert_masked(out, err)


def test_feishu_signed_post(robot: Robot, tmp_path: Path) -> None:
    robot.reply((200, {"code": 0, "msg": "success", "data": {}}))
    env = {"HOOK": robot.url(f"/open-apis/bot/v2/hook/{KEY}")}
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    args = plan_args("feishu", "--group", "g03", "--secret-file", str(secret))
    r = CliRunner().invoke(app, ["notify", *args], env=env)
    assert r.exit_code == 0, r.stderr
    seen = robot.seen[0]
    assert seen.path == f"/open-apis/bot/v2/hook/{KEY}"
    body = seen.json
    ts = body["timestamp"]
    assert ts.isdigit() and len(ts) == 10  # seconds
    key = f"{ts}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "青禾护肤研究所 · 2026-12-12 周六 运营安排"
    texts = [p[0]["text"] for p in post["content"]]
    assert texts[0] == "■ 苏内容（内容官 · staff_su）"
    assert "· 08:30 南京一群 · 早安护肤提醒" in texts
    assert len(seen.raw) <= 20000
    assert_masked(r.stdout, r.stderr)


def test_slack_text(robot: Robot) -> None:
    env = {"HOOK": robot.url(f"/services/T0001/B0002/{KEY}")}
    robot.reply((200, b"ok"))
    code, out, err = run(plan_args("slack", "--group", "g01", "--lang", "en"), env)
    assert code == 0, err
    body = robot.seen[0].json
    assert set(body) == {"text"}
    assert body["text"].startswith(
        "*青禾护肤研究所 · plan for 2026-12-12 Sat*\n*苏内容 (content · staff_su)*"
    )
    assert "• *20:00* 上海一群 · 今晚福利" in body["text"]
    assert_masked(out, err)


def test_retries_on_500_then_succeeds(robot: Robot, no_waiting: list[float]) -> None:
    robot.reply((500, b"oops"), (503, b"busy"), (200, {"errcode": 0, "errmsg": "ok"}))
    env = {"HOOK": robot.url(f"/send?key={KEY}")}
    code, out, err = run(plan_args("wecom", "--group", "g01"), env)
    assert code == 0, err
    assert len(robot.seen) == 3 and robot.seen[0].raw == robot.seen[2].raw
    assert no_waiting == [0.5, 1.0]  # bounded exponential backoff
    assert "retr" in err or "重试 2 次" in err


@pytest.mark.parametrize("status", [500, 429])
def test_gives_up_after_bounded_retries(robot: Robot, no_waiting: list[float], status: int) -> None:
    robot.reply((status, f'{{"error": "bad url /send?key={KEY}"}}'.encode()))
    env = {"HOOK": robot.url(f"/send?key={KEY}")}
    code, out, err = run(plan_args("wecom", "--group", "g01", "--lang", "en"), env)
    assert code == 2
    assert len(robot.seen) == 4 and no_waiting == [0.5, 1.0, 2.0]
    assert f"HTTP {status}" in err and "***" in err
    assert_masked(out, err)


def test_4xx_is_not_retried_and_the_echoed_url_is_masked(robot: Robot) -> None:
    robot.reply((404, f"no such hook: http://127.0.0.1/hook/{KEY}?key={KEY}".encode()))
    env = {"HOOK": robot.url(f"/open-apis/bot/v2/hook/{KEY}")}
    code, out, err = run(plan_args("feishu", "--group", "g01", "--lang", "en"), env)
    assert code == 2 and len(robot.seen) == 1
    assert "HTTP 404" in err and "no such hook" in err
    assert "Traceback" not in err
    assert_masked(out, err)


@pytest.mark.parametrize(
    ("to", "path", "reply", "shown"),
    [
        (
            "wecom",
            f"/send?key={KEY}",
            {"errcode": 93000, "errmsg": f"invalid webhook url {KEY}"},
            "errcode=93000",
        ),
        (
            "dingtalk",
            f"/robot/send?access_token={KEY}",
            {"errcode": 310000, "errmsg": "sign not match"},
            "errcode=310000",
        ),
        ("feishu", f"/hook/{KEY}", {"code": 19021, "msg": "sign match fail"}, "code=19021"),
    ],
)
def test_platform_error_codes_exit_2(
    robot: Robot, to: str, path: str, reply: dict, shown: str
) -> None:
    robot.reply((200, reply))
    env = {"HOOK": robot.url(path), "SEC": SECRET}
    extra = ["--secret-env", "SEC"] if to != "wecom" else []
    code, out, err = run(plan_args(to, "--group", "g01", *extra), env)
    assert code == 2
    assert shown in err and "被" in err and "拒绝" in err  # the SOP's language: zh
    assert len(robot.seen) == 1  # an error code is not retried
    assert_masked(out, err)


def test_connection_refused_is_masked() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"HOOK": f"http://127.0.0.1:{port}/send?key={KEY}"}
    code, out, err = run(plan_args("wecom", "--group", "g01", "--lang", "en"), env)
    assert code == 2
    assert "could not reach the robot (http://127.0.0.1/***)" in err
    assert "Traceback" not in err
    assert_masked(out, err)


def test_dry_run_prints_the_payload_masked_and_posts_nothing(robot: Robot) -> None:
    env = {"HOOK": robot.url(f"/robot/send?access_token={KEY}"), "SEC": SECRET}
    code, out, err = run(
        plan_args("dingtalk", "--group", "g01", "--secret-env", "SEC", "--dry-run"), env
    )
    assert code == 0, err
    assert robot.seen == []
    first = out.splitlines()[0]
    assert first.startswith(
        f"# 1/1 POST http://127.0.0.1:{robot.port}/robot/send?access_token=***&timestamp="
    )
    assert first.endswith("&sign=***")
    assert '"msgtype": "markdown"' in out
    assert_masked(out, err)


def test_webhook_missing_or_empty(tmp_path: Path) -> None:
    code, out, err = run(plan_args("wecom"), {})
    assert code == 2 and "HOOK" in err
    empty = tmp_path / "hook.txt"
    empty.write_text("\n", encoding="utf-8")
    args = [
        "plan",
        str(SOP),
        "--day",
        DAY,
        "--to",
        "wecom",
        "--webhook-file",
        str(empty),
        "--lang",
        "en",
    ]
    code, out, err = run(args, {})
    assert code == 2 and "is empty" in err


def test_report_failing_kpis(robot: Robot) -> None:
    data = SOP.parent / "data"
    env = {"HOOK": robot.url(f"/send?key={KEY}")}
    args = ["report", str(data), "--sop", str(SOP), "--to", "wecom", "--webhook-env", "HOOK"]
    code, out, err = run(args, env)
    assert code == 0, err
    (seen,) = robot.seen
    content = seen.json["markdown"]["content"]
    lines = content.split("\n")
    assert lines[0] == "## 青禾护肤研究所 · 2027-01-28 未达标指标"
    # the example's report (`sqops report examples/skincare/data --sop ...`) on 2027-01-28:
    # g01 and g02 in retention with weekly active, repurchase and silent rates failing (g02's
    # repurchase rate bad, the rest warn), g03 in monetisation with nothing failing: 2 groups
    # in the triage's order (g02 first: one bad KPI), 6 KPIs
    assert [ln for ln in lines if ln.startswith("### ")] == [
        "### 杭州一群（g02）· 第 106 天 · 留存期",
        "### 上海一群（g01）· 第 120 天 · 留存期",
    ]
    assert sum(ln.startswith("- **") for ln in lines) == 6
    assert "- **周活跃率** 15.0%，目标 30%，预警" in lines
    assert "- **复购率** 13.0%，目标 30%，不达标" in lines
    assert_masked(out, err)


def test_report_nothing_at_bad_posts_nothing(robot: Robot) -> None:
    data = SOP.parent / "data"
    env = {"HOOK": robot.url(f"/send?key={KEY}")}
    args = ["report", str(data), "--sop", str(SOP), "--to", "wecom", "--webhook-env", "HOOK"]
    args += ["--group", "g01"]
    code, out, err = run([*args, "--status", "bad"], env)
    # no current-stage KPI of g01 is bad (its 3 failing ones are warn): nothing is posted
    assert code == 0 and robot.seen == []
    assert "没有不达标的当前阶段指标" in err and "--send-empty" in err
    code, out, err = run([*args, "--status", "bad", "--send-empty"], env)
    assert code == 0 and len(robot.seen) == 1
    assert robot.seen[0].json["markdown"]["content"].endswith("\n没有不达标的当前阶段指标。")


def test_an_sop_with_lint_errors_is_refused_unless_forced(robot: Robot, tmp_path: Path) -> None:
    # a group without vars.city: the welcome script uses it, a lint error (as for `sqops plan`)
    shutil.copytree(SOP.parent / "scripts", tmp_path / "scripts")
    sop = tmp_path / "sop.yaml"
    extra = "  - {id: x01, name: 无城市群, launched_on: 2026-10-01}\n"
    sop.write_text(SOP.read_text(encoding="utf-8") + extra, encoding="utf-8")
    env = {"HOOK": robot.url(f"/send?key={KEY}")}
    args = ["plan", str(sop), "--day", DAY, "--to", "wecom", "--webhook-env", "HOOK"]
    code, out, err = run(args, env)
    assert code == 1 and robot.seen == [] and "--force" in err
    code, out, err = run([*args, "--force"], env)
    assert code == 0 and len(robot.seen) == 1


def test_dry_run_needs_no_webhook() -> None:
    code, out, err = run(
        ["plan", str(SOP), "--day", DAY, "--to", "slack", "--group", "g01", "--dry-run"], {}
    )
    assert code == 0, err
    assert out.startswith('# 1/1 POST https://hooks.slack.com/services/***/***/***\n{\n  "text": ')
