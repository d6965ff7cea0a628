"""The data contract (spec §2, "Data contract"): the tables sqops reads, their columns, the
values some columns take, and the files a table may come in.

The data layer (:mod:`sqops.data`) validates tables against these definitions, importers
write rows that satisfy them, the SOP's ``columns:`` section and the column map name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TableDef:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    id_column: str | None = None  #: rows with the same id count once
    ids: tuple[str, ...] = ()  #: columns that must not be empty
    #: the values some columns may take (after normalisation), by column
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: importers write this table (the others come from the team's own systems)
    imported: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def events(self) -> tuple[str, ...]:
        """The allowed values of the ``event`` column (none: the table has no events)."""
        return self.values.get("event", ())


#: message types (``messages.msg_type``); ``system`` never counts as speaking
MSG_TYPES: tuple[str, ...] = (
    "text",
    "image",
    "voice",
    "video",
    "link",
    "miniprogram",
    "sticker",
    "file",
    "system",
    "other",
)
#: membership events (``members.event``)
MEMBER_EVENTS: tuple[str, ...] = ("invited", "join", "leave", "profile_complete")
#: engagement events (``engagement.event``)
ENGAGEMENT_EVENTS: tuple[str, ...] = ("open", "click", "participate")
#: order statuses (``orders.status``); an order without one is paid
ORDER_STATUSES: tuple[str, ...] = ("paid", "refunded", "cancelled")
#: how exports spell the order statuses, each → its canonical name
ORDER_STATUS_SYNONYMS: dict[str, str] = {
    "paid": "paid",
    "refunded": "refunded",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "已支付": "paid",
    "已付款": "paid",
    "已完成": "paid",
    "已退款": "refunded",
    "已取消": "cancelled",
}
#: a message whose ``content`` has one of these is a question (spec §3 "Service"): ASCII and
#: full-width
QUESTION_MARKS: tuple[str, ...] = ("?", "？")
#: who sent a message (``messages.role``)
MESSAGE_ROLES: tuple[str, ...] = ("member", "staff", "bot")
#: the message roles that make the sender staff (excluded from every numerator and denominator)
STAFF_ROLES: tuple[str, ...] = ("staff", "bot")

TABLES: tuple[TableDef, ...] = (
    TableDef(
        "messages",
        ("ts", "group_id", "member_id"),
        ("msg_id", "member_name", "msg_type", "content", "reply_to", "role", "group_name"),
        id_column="msg_id",
        ids=("group_id", "member_id"),
        values={"msg_type": MSG_TYPES, "role": MESSAGE_ROLES},
        imported=True,
    ),
    TableDef(
        "members",
        ("ts", "group_id", "member_id", "event"),
        ("inviter_id", "channel", "member_name"),
        ids=("group_id", "member_id"),
        values={"event": MEMBER_EVENTS},
        imported=True,
    ),
    TableDef("staff", ("member_id",), ("role", "name"), ids=("member_id",), imported=True),
    TableDef(
        "posts",
        ("post_id", "ts", "group_id"),
        ("kind", "title", "column"),
        id_column="post_id",
        ids=("post_id", "group_id"),
    ),
    TableDef(
        "engagement",
        ("ts", "member_id", "event"),
        ("post_id", "activity_id", "group_id"),
        ids=("member_id",),
        values={"event": ENGAGEMENT_EVENTS},
    ),
    TableDef(
        "orders",
        ("order_id", "ts", "member_id", "amount"),
        ("group_id", "status", "coupon_id"),
        id_column="order_id",
        ids=("order_id", "member_id"),
        values={"status": ORDER_STATUSES},
        imported=True,
    ),
    TableDef(
        "coupons",
        ("coupon_id", "member_id", "ts"),
        ("group_id",),
        id_column="coupon_id",
        ids=("coupon_id", "member_id"),
    ),
)
TABLE: dict[str, TableDef] = {t.name: t for t in TABLES}
TABLE_NAMES: tuple[str, ...] = tuple(TABLE)
#: the tables importers write
IMPORTED_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.imported)

#: file extensions a table is read from, and the reader each one uses
EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "ndjson",
    ".ndjson": "ndjson",
    ".xlsx": "excel",
}
