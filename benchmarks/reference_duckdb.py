"""An independent reference of the spec §2 KPIs in DuckDB SQL (the benchmark's cross-check).

Written from ``spec.md`` alone, without reading ``sqops.report``: if both agree on the same
files, each definition has been implemented twice the same way. Its time is the yardstick
of the benchmark (``benchmarks/run.py``).

Scope: the tables ``sqops demo`` writes (CSV or Parquet, canonical column names, naive local
times as ``YYYY-MM-DD HH:MM:SS`` or Parquet timestamps). It applies the spec's cleaning rules
that matter for the KPIs: unparseable times, empty ids and negative or missing amounts are
rejected; duplicate ``msg_id`` / ``order_id`` count once; rows after the as-of day are left
out; staff (SOP roles, the ``staff`` table, ``role`` = staff/bot in messages) are excluded
everywhere; system messages never count as speaking.

Usage::

    python benchmarks/reference_duckdb.py DATA_DIR --sop SOP.yaml [--as-of YYYY-MM-DD] [-o out.json]

Prints (or writes) JSON shaped like ``sqops report --format json``: ``as_of`` and ``groups``
with ``group_id``, ``day0``, ``current_stage`` and ``stages[].kpis[]`` carrying ``name``,
``numerator``, ``denominator``, ``value`` and ``available``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

TRACE = bool(os.environ.get("SQOPS_REF_TRACE"))
TABLES = ("messages", "members", "staff", "posts", "engagement", "orders", "coupons")
TS_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
]
STAGES = ("launch", "activation", "monetisation", "retention", "propagation")
STAGE_KPIS = {
    "launch": ("join_rate", "profile_completion_rate", "first_week_retention"),
    "activation": ("speaking_rate", "participation_rate", "content_open_rate"),
    "monetisation": ("conversion_rate", "aov", "coupon_usage_rate"),
    "retention": ("weekly_active_rate", "repurchase_rate", "churn_rate", "dormant_rate"),
    "propagation": ("fission_rate", "referral_rate", "koc_share"),
}


# ------------------------------------------------------------------ inputs
def _find(data: Path, table: str) -> Path | None:
    for ext in ("parquet", "csv"):
        p = data / f"{table}.{ext}"
        if p.exists():
            return p
    return None


def _load_sop(path: Path) -> dict[str, Any]:
    """The few SOP facts the KPIs need: staff ids, group launch days, nickname pattern, KOC."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    staff = sorted({m for r in raw.get("roles") or [] for m in (r.get("members") or [])})
    launched = {
        str(g["id"]): g.get("launched_on") for g in raw.get("groups") or [] if g.get("launched_on")
    }
    # an SOP that lists no groups: the community's launched_on is every group's day 0 (the
    # SOP file's `community.launched_on: # day 0`); with a list, a group not on it starts on
    # its first day in the data
    community = (raw.get("community") or {}).get("launched_on")
    default_day0 = None if raw.get("groups") else community
    koc = {"min_active_days": 7, "min_referrals": 1, "min_messages": 30}
    koc.update(raw.get("koc") or {})
    pattern = (raw.get("rules") or {}).get("nickname_pattern")
    return {
        "staff": staff,
        "launched": launched,
        "default_day0": default_day0,
        "koc": koc,
        "pattern": pattern,
    }


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class Reference:
    def __init__(
        self,
        data: Path,
        sop: Path,
        as_of: dt.date | None = None,
        threads: int | None = None,
        memory_limit: str | None = None,
    ):
        self.data = data
        self.sop = _load_sop(sop)
        self.con = duckdb.connect()
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = {_q(memory_limit)}")
        self.con.execute("SET preserve_insertion_order = false")
        self.has: dict[str, bool] = {}
        self.cols: dict[str, set[str]] = {}
        self._as_of_arg = as_of

    def sql(self, q: str) -> None:
        t0 = time.perf_counter()
        self.con.execute(q)
        self._trace(q, t0)

    def one(self, q: str) -> Any:
        t0 = time.perf_counter()
        value = self.con.execute(q).fetchone()[0]
        self._trace(q, t0)
        return value

    def _trace(self, q: str, t0: float) -> None:
        if TRACE:
            head = " ".join(q.split())[:90]
            sys.stderr.write(f"{time.perf_counter() - t0:8.3f}s  {head}\n")

    # -------------------------------------------------------------- raw views
    def _view(self, table: str) -> None:
        path = _find(self.data, table)
        self.has[table] = path is not None
        if path is None:
            return
        src = (
            f"read_parquet({_q(str(path))})"
            if path.suffix == ".parquet"
            else f"read_csv({_q(str(path))}, header=true, all_varchar=true, quote='\"', escape='\"')"
        )
        self.sql(f"CREATE OR REPLACE VIEW raw_{table} AS SELECT * FROM {src}")
        desc = self.con.execute(f"DESCRIBE raw_{table}").fetchall()
        self.cols[table] = {r[0] for r in desc}
        types = {r[0]: r[1] for r in desc}
        if "ts" in types:
            self.ts_expr = getattr(self, "ts_expr", {})
            if types["ts"].startswith("TIMESTAMP"):
                self.ts_expr[table] = "CAST(ts AS TIMESTAMP)"
            else:
                fmts = "[" + ", ".join(_q(f) for f in TS_FORMATS[1:]) + "]"
                # the common format first; the others only for rows it does not parse
                self.ts_expr[table] = (
                    f"coalesce(try_strptime(CAST(ts AS VARCHAR), {_q(TS_FORMATS[0])}), "
                    f"try_strptime(CAST(ts AS VARCHAR), {fmts}))"
                )

    def _col(self, table: str, col: str, cast: str = "VARCHAR") -> str:
        if col in self.cols.get(table, ()):
            return (
                f"NULLIF(TRIM(CAST({col} AS {cast})), '')"
                if cast == "VARCHAR"
                else f"CAST({col} AS {cast})"
            )
        return f"CAST(NULL AS {cast})"

    # -------------------------------------------------------------- cleaning
    def prepare(self) -> None:
        for t in TABLES:
            self._view(t)
        if not self.has["messages"]:
            raise SystemExit("messages table missing")
        ts = self.ts_expr
        # messages: valid rows (dedupe only matters for counts: count distinct msg_id)
        self.sql(f"""
            CREATE TEMP TABLE msg AS
            SELECT {ts["messages"]} AS ts, NULLIF(TRIM(CAST(group_id AS VARCHAR)), '') AS g,
                   NULLIF(TRIM(CAST(member_id AS VARCHAR)), '') AS m,
                   {self._col("messages", "msg_id")} AS msg_id,
                   coalesce(lower({self._col("messages", "msg_type")}), 'text') = 'system' AS is_system,
                   {self._col("messages", "member_name")} AS name,
                   coalesce(lower({self._col("messages", "role")}) IN ('staff', 'bot'), false) AS staff_role
            FROM raw_messages
        """)
        self.sql("DELETE FROM msg WHERE ts IS NULL OR g IS NULL OR m IS NULL")
        staff_sql = " UNION ".join(
            [f"SELECT {_q(s)} AS m" for s in self.sop["staff"]]
            + (
                ["SELECT NULLIF(TRIM(CAST(member_id AS VARCHAR)), '') FROM raw_staff"]
                if self.has["staff"]
                else []
            )
            + ["SELECT DISTINCT m FROM msg WHERE staff_role"]
        )
        self.sql(
            f"CREATE TEMP TABLE staff AS SELECT DISTINCT m FROM ({staff_sql}) WHERE m IS NOT NULL"
        )
        if self.has["members"]:
            self.sql(f"""
                CREATE TEMP TABLE ev_all AS
                SELECT {ts["members"]} AS ts, NULLIF(TRIM(CAST(group_id AS VARCHAR)), '') AS g,
                       NULLIF(TRIM(CAST(member_id AS VARCHAR)), '') AS m,
                       lower(TRIM(CAST(event AS VARCHAR))) AS event,
                       {self._col("members", "inviter_id")} AS inviter,
                       {self._col("members", "member_name")} AS name
                FROM raw_members
            """)
            self.sql(
                "DELETE FROM ev_all WHERE ts IS NULL OR g IS NULL OR m IS NULL "
                "OR event NOT IN ('invited', 'join', 'leave', 'profile_complete')"
            )
        # as-of: the given day, else the latest day found in any table
        if self._as_of_arg:
            self.as_of = self._as_of_arg
        else:
            days = [self.one("SELECT max(ts)::DATE FROM msg")]
            if self.has["members"]:
                days.append(self.one("SELECT max(ts)::DATE FROM ev_all"))
            for t in ("posts", "engagement", "orders", "coupons"):
                if self.has[t]:
                    days.append(self.one(f"SELECT max({ts[t]})::DATE FROM raw_{t}"))
            self.as_of = max(d for d in days if d is not None)
        A = f"DATE {_q(self.as_of.isoformat())}"
        self.A = A

        # groups and day 0
        launched = self.sop["launched"]
        lvals = " UNION ALL ".join(
            f"SELECT {_q(g)} AS g, DATE {_q(str(d))} AS d0" for g, d in launched.items()
        )
        d0 = self.sop["default_day0"]
        default0 = f"DATE {_q(str(d0))}, " if d0 else ""
        first_sql = "SELECT g, min(ts)::DATE AS d FROM msg GROUP BY g"
        if self.has["members"]:
            first_sql += " UNION ALL SELECT g, min(ts)::DATE FROM ev_all GROUP BY g"
        self.sql(f"""
            CREATE TEMP TABLE grp AS
            WITH first AS (SELECT g, min(d) AS d FROM ({first_sql}) GROUP BY g),
                 sopd AS ({lvals if lvals else "SELECT NULL::VARCHAR AS g, NULL::DATE AS d0 WHERE false"})
            SELECT first.g, coalesce(sopd.d0, {default0}first.d) AS day0
            FROM first LEFT JOIN sopd USING (g)
        """)
        self.sql(f"DELETE FROM grp WHERE day0 > {A}")

        # speaking days: non-staff, non-system, up to as-of
        self.sql(f"""
            CREATE TEMP TABLE sp AS
            SELECT DISTINCT g, m, ts::DATE AS d
            FROM msg
            WHERE NOT is_system AND ts::DATE <= {A} AND m NOT IN (SELECT m FROM staff)
        """)
        if self.has["members"]:
            self.sql(f"CREATE TEMP TABLE ev AS SELECT *, ts::DATE AS d FROM ev_all "
                     f"WHERE ts::DATE <= {A} AND m NOT IN (SELECT m FROM staff)")  # fmt: skip
        self._presence()
        self._facts()

    def _presence(self) -> None:
        """Presence intervals pres(g, m, a, b): closed date ranges, clipped to as-of."""
        A = self.A
        if not self.has["members"]:
            self.basis = "speakers"
            self.sql(f"""
                CREATE TEMP TABLE pres AS
                SELECT sp.g, sp.m, grp.day0 AS a, {A} AS b FROM (SELECT DISTINCT g, m FROM sp) sp
                JOIN grp USING (g)
            """)
            self.sql("CREATE TEMP TABLE islands AS SELECT * FROM pres")
            self._day_counts()
            return
        self.basis = "members"
        self.sql(f"""
            CREATE TEMP TABLE pres AS
            WITH jl AS (
                SELECT g, m, ts, d, event,
                       lag(event) OVER w AS prev,
                       min(CASE WHEN event = 'leave' THEN d END) OVER (
                           PARTITION BY g, m ORDER BY ts, event
                           ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_leave
                FROM ev WHERE event IN ('join', 'leave')
                WINDOW w AS (PARTITION BY g, m ORDER BY ts, event)
            ),
            intervals AS (
                -- a join that opens (nothing open before it) lasts to the next leave, or on
                SELECT g, m, d AS a, coalesce(next_leave, {A}) AS b
                FROM jl WHERE event = 'join' AND (prev IS NULL OR prev = 'leave')
                UNION ALL
                -- a leave with nothing open opens at day 0
                SELECT jl.g, jl.m, grp.day0, jl.d
                FROM jl JOIN grp USING (g) WHERE event = 'leave' AND (prev IS NULL OR prev = 'leave')
                UNION ALL
                -- speakers without any member event in the group: from day 0 on
                SELECT s.g, s.m, grp.day0, {A}
                FROM (SELECT DISTINCT g, m FROM sp) s JOIN grp USING (g)
                WHERE NOT EXISTS (SELECT 1 FROM ev WHERE ev.g = s.g AND ev.m = s.m)
            )
            SELECT g, m, a, least(b, {A}) AS b FROM intervals JOIN grp USING (g)
        """)
        # members with events are present on the days they speak (where not already present)
        self.sql("""
            INSERT INTO pres
            SELECT s.g, s.m, s.d, s.d FROM sp s
            WHERE EXISTS (SELECT 1 FROM ev WHERE ev.g = s.g AND ev.m = s.m)
            AND NOT EXISTS (
                SELECT 1 FROM pres p WHERE p.g = s.g AND p.m = s.m AND s.d BETWEEN p.a AND p.b)
        """)
        # merged islands (for "present on every day of ...")
        self.sql("""
            CREATE TEMP TABLE islands AS
            WITH o AS (
                SELECT g, m, a, b,
                       max(b) OVER (PARTITION BY g, m ORDER BY a, b
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_b
                FROM pres
            ),
            s AS (
                SELECT *, sum(CASE WHEN prev_b IS NULL OR a > prev_b + 1 THEN 1 ELSE 0 END)
                          OVER (PARTITION BY g, m ORDER BY a, b) AS island
                FROM o
            )
            SELECT g, m, min(a) AS a, max(b) AS b FROM s GROUP BY g, m, island
        """)
        self._day_counts()

    def _day_counts(self) -> None:
        """day_n(g, d, n): members present from day d on (a step function; ASOF-join it)."""
        self.sql("""
            CREATE TEMP TABLE day_n AS
            WITH deltas AS (SELECT g, a AS d, 1 AS x FROM islands UNION ALL SELECT g, b + 1, -1 FROM islands),
            agg AS (SELECT g, d, sum(x) AS x FROM deltas GROUP BY g, d)
            SELECT g, d, sum(x) OVER (PARTITION BY g ORDER BY d) AS n FROM agg
        """)

    def _attributed(self, table: str, select: str, name: str) -> None:
        """Rows of ``table`` with their group: group_id, else the membership on that day."""
        A = self.A
        gcol = "group_id" if "group_id" in self.cols[table] else "NULL"
        self.sql(f"""
            CREATE TEMP TABLE {name} AS
            SELECT * FROM (
                SELECT {select}, NULLIF(TRIM(CAST({gcol} AS VARCHAR)), '') AS g FROM raw_{table}
            )
            WHERE ts IS NOT NULL AND m IS NOT NULL AND ts::DATE <= {A} AND m NOT IN (SELECT m FROM staff)
        """)
        self.sql(f"ALTER TABLE {name} ADD COLUMN d DATE")
        self.sql(f"UPDATE {name} SET d = ts::DATE")
        # rows without group_id: the group the member is present in that day; several: the one
        # where they last spoke before the row, then the smallest id; none: unattributed
        self.sql(f"""
            CREATE TEMP TABLE {name}_orphan AS
            SELECT row_number() OVER () AS rid, * EXCLUDE (g) FROM {name} WHERE g IS NULL
        """)
        self.sql(f"DELETE FROM {name} WHERE g IS NULL")
        self.sql(f"""
            INSERT INTO {name} BY NAME
            WITH cand AS (
                SELECT DISTINCT o.rid, p.g FROM {name}_orphan o JOIN pres p
                ON p.m = o.m AND o.d BETWEEN p.a AND p.b
            ),
            spoke AS (
                SELECT c.rid, c.g, max(msg.ts) AS last_ts
                FROM cand c JOIN {name}_orphan o USING (rid)
                LEFT JOIN msg ON msg.g = c.g AND msg.m = o.m AND msg.ts < o.ts AND NOT msg.is_system
                GROUP BY c.rid, c.g
            ),
            pick AS (
                SELECT rid, g FROM spoke
                QUALIFY row_number() OVER (PARTITION BY rid ORDER BY last_ts DESC NULLS LAST, g) = 1
            )
            SELECT o.* EXCLUDE (rid), pick.g FROM {name}_orphan o JOIN pick USING (rid)
        """)

    def _facts(self) -> None:
        ts = self.ts_expr
        A = self.A
        if self.has["posts"]:
            self.sql(f"""
                CREATE TEMP TABLE posts AS
                SELECT DISTINCT NULLIF(TRIM(CAST(post_id AS VARCHAR)), '') AS post_id, {ts["posts"]} AS ts,
                       NULLIF(TRIM(CAST(group_id AS VARCHAR)), '') AS g
                FROM raw_posts
            """)
            self.sql(
                f"DELETE FROM posts WHERE post_id IS NULL OR ts IS NULL OR g IS NULL OR ts::DATE > {A}"
            )
        if self.has["engagement"]:
            self._attributed(
                "engagement",
                f"{ts['engagement']} AS ts, NULLIF(TRIM(CAST(member_id AS VARCHAR)), '') AS m, "
                f"lower(TRIM(CAST(event AS VARCHAR))) AS event, {self._col('engagement', 'post_id')} AS post_id",
                "eng",
            )
        if self.has["orders"]:
            status = self._col("orders", "status")
            self.sql(f"""
                CREATE TEMP TABLE orders_valid AS
                SELECT NULLIF(TRIM(CAST(order_id AS VARCHAR)), '') AS order_id, {ts["orders"]} AS ts,
                       NULLIF(TRIM(CAST(member_id AS VARCHAR)), '') AS m,
                       TRY_CAST(amount AS DOUBLE) AS amount,
                       coalesce(lower({status}), 'paid') AS status,
                       {self._col("orders", "coupon_id")} AS coupon_id,
                       {self._col("orders", "group_id")} AS group_id
                FROM raw_orders
            """)
            self.sql(
                "DELETE FROM orders_valid WHERE order_id IS NULL OR ts IS NULL OR m IS NULL "
                "OR amount IS NULL OR amount < 0"
            )
            self.sql("""
                CREATE OR REPLACE TEMP TABLE orders_valid AS
                SELECT * FROM orders_valid QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY ts, m) = 1
            """)
            self.sql(
                "CREATE OR REPLACE VIEW raw_orders_valid AS SELECT * FROM orders_valid WHERE status = 'paid'"
            )
            self.cols["orders_valid"] = {"group_id"}
            self._attributed("orders_valid", "ts, m, order_id, amount, coupon_id", "ord")
        if self.has["coupons"]:
            self._attributed(
                "coupons",
                f"{ts['coupons']} AS ts, NULLIF(TRIM(CAST(member_id AS VARCHAR)), '') AS m, "
                "NULLIF(TRIM(CAST(coupon_id AS VARCHAR)), '') AS coupon_id",
                "cp",
            )
            self.sql("DELETE FROM cp WHERE coupon_id IS NULL")

    # -------------------------------------------------------------- windows
    def windows(self) -> None:
        A = self.A
        self.sql(f"""
            CREATE TEMP TABLE gi AS
            SELECT g, day0, CAST(date_diff('day', day0, {A}) AS INTEGER) AS ai FROM grp
        """)
        self.sql("""
            CREATE TEMP TABLE win AS
            SELECT g, 'launch' AS stage, day0 AS sd, day0 + least(6, ai) AS ed FROM gi WHERE ai >= 0
            UNION ALL SELECT g, 'activation', day0 + 7, day0 + least(29, ai) FROM gi WHERE ai >= 7
            UNION ALL SELECT g, 'monetisation', day0 + 30, day0 + least(89, ai) FROM gi WHERE ai >= 30
            UNION ALL SELECT g, 'retention', day0 + greatest(90, ai - 27), day0 + ai FROM gi WHERE ai >= 90
            UNION ALL SELECT g, 'propagation', day0, day0 + ai FROM gi WHERE ai >= 0
        """)
        # members in each stage window
        self.sql("""
            CREATE TEMP TABLE win_members AS
            SELECT DISTINCT w.g, w.stage, p.m FROM win w JOIN pres p
            ON p.g = w.g AND p.a <= w.ed AND p.b >= w.sd
        """)

    def on_day(self, day_sql: str, name: str) -> None:
        """members_on(g, m) for one day per group, given as an expression of gi columns."""
        self.sql(f"""
            CREATE OR REPLACE TEMP TABLE {name} AS
            SELECT DISTINCT gi.g, p.m, {day_sql} AS day FROM gi JOIN pres p
            ON p.g = gi.g AND {day_sql} BETWEEN p.a AND p.b
        """)

    # -------------------------------------------------------------- KPIs
    def kpis(self) -> dict[tuple[str, str], tuple[Any, Any]]:
        """{(g, kpi): (numerator, denominator)}; a missing entry means unavailable."""
        out: dict[tuple[str, str], tuple[Any, Any]] = {}
        A = self.A

        def put(name: str, q: str) -> None:
            t0 = time.perf_counter()
            rows = self.con.execute(q).fetchall()
            self._trace(f"KPI {name}", t0)
            for g, num, den in rows:
                out[(g, name)] = (num, den)

        def in_win(stage: str) -> str:
            return f"(SELECT g, sd, ed FROM win WHERE stage = '{stage}')"

        has_ev = self.has["members"]
        ev_types = (
            {r[0] for r in self.con.execute("SELECT DISTINCT event FROM ev").fetchall()}
            if has_ev
            else set()
        )
        # ---- launch
        if {"invited", "join"} <= ev_types:
            put("join_rate", f"""
                WITH w AS {in_win('launch')},
                inv AS (SELECT ev.g, ev.m, min(ev.ts) AS its, any_value(w.ed) AS ed FROM ev JOIN w USING (g)
                        WHERE ev.event = 'invited' AND ev.d BETWEEN w.sd AND w.ed GROUP BY ALL)
                SELECT w.g, count(inv.m) FILTER (WHERE EXISTS (
                           SELECT 1 FROM ev j WHERE j.g = inv.g AND j.m = inv.m AND j.event = 'join'
                           AND j.ts >= inv.its AND j.d <= inv.ed)),
                       count(inv.m)
                FROM w LEFT JOIN inv USING (g) GROUP BY w.g
            """)  # fmt: skip
        joined_in_w = f"""
            jn AS (SELECT ev.g, ev.m, min(ev.ts) AS jts, any_value(w.ed) AS ed FROM ev JOIN {in_win("launch")} w USING (g)
                   WHERE ev.event = 'join' AND ev.d BETWEEN w.sd AND w.ed GROUP BY ALL)
        """
        pattern = self.sop["pattern"]
        names_ok = pattern is not None and (
            "member_name" in self.cols.get("members", ()) or "member_name" in self.cols["messages"]
        )
        if has_ev and ("profile_complete" in ev_types or names_ok):
            name_match = "false"
            if names_ok:
                name_match = f"""coalesce((
                    SELECT regexp_matches(arg_max(nm.name, nm.ts), {_q(pattern)}) FROM (
                        SELECT ts, name FROM ev WHERE ev.g = jn.g AND ev.m = jn.m AND name IS NOT NULL
                        UNION ALL
                        SELECT ts, name FROM msg WHERE msg.g = jn.g AND msg.m = jn.m AND name IS NOT NULL
                    ) nm WHERE nm.ts::DATE <= jn.ed), false)"""
            put("profile_completion_rate", f"""
                WITH {joined_in_w}
                SELECT w.g, count(jn.m) FILTER (WHERE EXISTS (
                           SELECT 1 FROM ev p WHERE p.g = jn.g AND p.m = jn.m AND p.event = 'profile_complete'
                           AND p.d <= jn.ed) OR {name_match}),
                       count(jn.m)
                FROM {in_win('launch')} w LEFT JOIN jn USING (g) GROUP BY w.g
            """)  # fmt: skip
        if {"join", "leave"} <= ev_types:
            put("first_week_retention", f"""
                WITH {joined_in_w}
                SELECT w.g, count(jn.m) FILTER (WHERE NOT EXISTS (
                           SELECT 1 FROM ev l WHERE l.g = jn.g AND l.m = jn.m AND l.event = 'leave'
                           AND l.ts > jn.jts AND l.d <= jn.ed)),
                       count(jn.m)
                FROM {in_win('launch')} w LEFT JOIN jn USING (g) GROUP BY w.g
            """)  # fmt: skip

        # ---- activation
        put("speaking_rate", f"""
            WITH w AS {in_win('activation')},
            s AS (SELECT w.g, count(DISTINCT sp.m) AS n FROM w JOIN sp ON sp.g = w.g AND sp.d BETWEEN w.sd AND w.ed GROUP BY w.g),
            mw AS (SELECT g, count(*) AS n FROM win_members WHERE stage = 'activation' GROUP BY g)
            SELECT w.g, coalesce(s.n, 0), coalesce(mw.n, 0) FROM w LEFT JOIN s USING (g) LEFT JOIN mw USING (g)
        """)  # fmt: skip
        eng_types = (
            {r[0] for r in self.con.execute("SELECT DISTINCT event FROM eng").fetchall()}
            if self.has["engagement"]
            else set()
        )
        if "participate" in eng_types:
            put("participation_rate", f"""
                WITH w AS {in_win('activation')},
                part AS (SELECT DISTINCT e.g, e.m FROM eng e JOIN w ON e.g = w.g
                         WHERE e.event = 'participate' AND e.d BETWEEN w.sd AND w.ed)
                SELECT w.g, count(part.m), count(wm.m)
                FROM w JOIN win_members wm ON wm.g = w.g AND wm.stage = 'activation'
                LEFT JOIN part ON part.g = wm.g AND part.m = wm.m
                GROUP BY w.g
                UNION ALL
                SELECT w.g, 0, 0 FROM w WHERE w.g NOT IN (SELECT g FROM win_members WHERE stage = 'activation')
            """)  # fmt: skip
        if self.has["posts"] and "open" in eng_types:
            self.sql(f"""
                CREATE TEMP TABLE post_w AS
                SELECT p.post_id, p.g, p.ts, p.ts::DATE AS d FROM posts p JOIN {in_win("activation")} w
                ON p.g = w.g AND p.ts::DATE BETWEEN w.sd AND w.ed
            """)
            put("content_open_rate", f"""
                WITH opens AS (
                    SELECT p.post_id, count(DISTINCT e.m) AS n FROM post_w p JOIN eng e
                    ON e.post_id = p.post_id AND e.event = 'open'
                    AND e.ts >= p.ts AND e.ts <= p.ts + INTERVAL 48 HOUR
                    GROUP BY p.post_id
                ),
                aud AS (SELECT p.post_id, r.n FROM post_w p ASOF JOIN day_n r ON p.g = r.g AND p.d >= r.d),
                per AS (SELECT p.g, coalesce(o.n, 0) AS num, coalesce(a.n, 0) AS den FROM post_w p
                        LEFT JOIN opens o USING (post_id) LEFT JOIN aud a USING (post_id))
                SELECT w.g, coalesce(sum(per.num), 0), coalesce(sum(per.den), 0)
                FROM {in_win('activation')} w LEFT JOIN per USING (g) GROUP BY w.g
            """)  # fmt: skip

        # ---- monetisation
        if self.has["orders"]:
            put("conversion_rate", f"""
                WITH w AS {in_win('monetisation')},
                buy AS (SELECT DISTINCT o.g, o.m FROM ord o JOIN w ON o.g = w.g AND o.d BETWEEN w.sd AND w.ed)
                SELECT w.g, count(buy.m), count(wm.m)
                FROM w JOIN win_members wm ON wm.g = w.g AND wm.stage = 'monetisation'
                LEFT JOIN buy ON buy.g = wm.g AND buy.m = wm.m
                GROUP BY w.g
                UNION ALL
                SELECT w.g, 0, 0 FROM w WHERE w.g NOT IN (SELECT g FROM win_members WHERE stage = 'monetisation')
            """)  # fmt: skip
            put("aov", f"""
                WITH w AS {in_win('monetisation')}
                SELECT w.g, coalesce(sum(o.amount), 0), count(o.order_id)
                FROM w LEFT JOIN ord o ON o.g = w.g AND o.d BETWEEN w.sd AND w.ed GROUP BY w.g
            """)  # fmt: skip
            put("repurchase_rate", """
                WITH b AS (SELECT g, m, count(DISTINCT d) AS days FROM ord GROUP BY g, m)
                SELECT w.g, count(b.m) FILTER (WHERE b.days >= 2), count(b.m)
                FROM (SELECT g FROM win WHERE stage = 'retention') w LEFT JOIN b USING (g) GROUP BY w.g
            """)  # fmt: skip
        if self.has["coupons"] and self.has["orders"] and "coupon_id" in self.cols["orders"]:
            put("coupon_usage_rate", f"""
                WITH w AS {in_win('monetisation')},
                used AS (SELECT coupon_id, min(ts::DATE) AS first_d FROM orders_valid
                         WHERE status = 'paid' AND coupon_id IS NOT NULL AND ts::DATE <= {A} GROUP BY coupon_id),
                iss AS (SELECT DISTINCT c.g, c.coupon_id, w.ed FROM cp c JOIN w ON c.g = w.g AND c.d BETWEEN w.sd AND w.ed)
                SELECT w.g, count(iss.coupon_id) FILTER (WHERE used.first_d <= iss.ed), count(iss.coupon_id)
                FROM w LEFT JOIN iss USING (g) LEFT JOIN used ON used.coupon_id = iss.coupon_id GROUP BY w.g
            """)  # fmt: skip

        # ---- retention
        blocks = " UNION ALL ".join(
            f"SELECT g, sd, ed - {7 * k + 6} AS bs, ed - {7 * k} AS be FROM win WHERE stage = 'retention'"
            for k in range(4)
        )
        self.sql(f"CREATE TEMP TABLE blk AS SELECT g, bs, be FROM ({blocks}) WHERE bs >= sd")
        put("weekly_active_rate", """
            WITH s AS (SELECT b.g, b.be, count(DISTINCT sp.m) FILTER (WHERE EXISTS (
                           SELECT 1 FROM pres p WHERE p.g = b.g AND p.m = sp.m
                           AND b.be BETWEEN p.a AND p.b)) AS n  -- a member on the block's last day
                       FROM blk b LEFT JOIN sp
                       ON sp.g = b.g AND sp.d BETWEEN b.bs AND b.be GROUP BY b.g, b.be),
                 d AS (SELECT b.g, b.be, count(DISTINCT p.m) AS n FROM blk b LEFT JOIN pres p
                       ON p.g = b.g AND b.be BETWEEN p.a AND p.b GROUP BY b.g, b.be)
            SELECT s.g, sum(s.n), sum(d.n) FROM s JOIN d USING (g, be) GROUP BY s.g
        """)  # fmt: skip
        if "leave" in ev_types:
            put("churn_rate", f"""
                WITH f AS (SELECT g, day0 + greatest(90, ai - 29) AS fd FROM gi WHERE ai >= 90),
                on_f AS (SELECT DISTINCT f.g, f.fd, p.m FROM f JOIN pres p ON p.g = f.g AND f.fd BETWEEN p.a AND p.b)
                SELECT f.g, count(on_f.m) FILTER (WHERE EXISTS (
                           SELECT 1 FROM ev l WHERE l.g = on_f.g AND l.m = on_f.m AND l.event = 'leave'
                           AND l.d BETWEEN on_f.fd AND {A})),
                       count(on_f.m)
                FROM f LEFT JOIN on_f USING (g) GROUP BY f.g
            """)  # fmt: skip
        if self.basis == "members":
            every = "SELECT DISTINCT i.g, i.m FROM islands i JOIN r ON i.g = r.g AND i.a <= r.s AND i.b >= r.e"
        else:
            every = "SELECT DISTINCT p.g, p.m FROM pres p JOIN r ON p.g = r.g AND p.a <= r.s AND p.b >= r.e"
        put("dormant_rate", f"""
            WITH r AS (SELECT g, {A} - 29 AS s, {A} AS e FROM gi WHERE ai >= 90),
            full_ AS ({every}),
            spoke AS (SELECT DISTINCT sp.g, sp.m FROM sp JOIN r ON sp.g = r.g AND sp.d BETWEEN r.s AND r.e)
            SELECT r.g, count(full_.m) FILTER (WHERE spoke.m IS NULL), count(full_.m)
            FROM r LEFT JOIN full_ USING (g) LEFT JOIN spoke ON spoke.g = full_.g AND spoke.m = full_.m
            GROUP BY r.g
        """)  # fmt: skip

        # ---- propagation
        self.on_day(A, "on_asof")
        if has_ev and "inviter_id" in self.cols.get("members", ()):
            self.on_day("day0 + greatest(0, ai - 29)", "on_t0")
            put("fission_rate", f"""
                WITH t AS (SELECT g, day0 + greatest(0, ai - 29) AS t0 FROM gi),
                fj AS (SELECT DISTINCT ev.g, ev.m FROM ev JOIN t USING (g)
                       WHERE ev.event = 'join' AND ev.d > t.t0 AND ev.d <= {A}
                       AND ev.inviter IS NOT NULL AND ev.inviter NOT IN (SELECT m FROM staff)),
                num AS (SELECT g, count(*) AS n FROM fj GROUP BY g),
                den AS (SELECT g, count(*) AS n FROM on_t0 GROUP BY g)
                SELECT t.g, coalesce(num.n, 0), coalesce(den.n, 0) FROM t LEFT JOIN num USING (g) LEFT JOIN den USING (g)
            """)  # fmt: skip
            put("referral_rate", """
                WITH inv AS (SELECT DISTINCT g, inviter AS m FROM ev WHERE event = 'join' AND inviter IS NOT NULL)
                SELECT gi.g, count(inv.m), count(o.m)
                FROM gi LEFT JOIN on_asof o ON o.g = gi.g LEFT JOIN inv ON inv.g = o.g AND inv.m = o.m
                GROUP BY gi.g
            """)  # fmt: skip
        koc = self.sop["koc"]
        has_inv = has_ev and "inviter_id" in self.cols.get("members", ())
        ref = (
            f"""SELECT ev.g, ev.inviter AS m, count(DISTINCT ev.m) AS n FROM ev
                WHERE ev.event = 'join' AND ev.inviter IS NOT NULL AND ev.d BETWEEN {A} - 29 AND {A}
                GROUP BY ALL"""
            if has_inv
            else "SELECT NULL::VARCHAR AS g, NULL::VARCHAR AS m, 0 AS n WHERE false"
        )
        put("koc_share", f"""
            WITH days AS (SELECT g, m, count(*) AS days FROM sp
                          WHERE d BETWEEN {A} - 29 AND {A} GROUP BY g, m),
            cnt AS (SELECT g, m, count(DISTINCT msg_id) + count(*) FILTER (WHERE msg_id IS NULL) AS msgs
                    FROM msg WHERE NOT is_system AND ts::DATE BETWEEN {A} - 29 AND {A}
                    AND m IN (SELECT m FROM days) GROUP BY g, m),
            act AS (SELECT * FROM days JOIN cnt USING (g, m)),
            ref AS ({ref}),
            k AS (SELECT o.g, o.m FROM on_asof o JOIN act USING (g, m) LEFT JOIN ref USING (g, m)
                  WHERE act.days >= {int(koc['min_active_days'])}
                  AND (coalesce(ref.n, 0) >= {int(koc['min_referrals'])} OR act.msgs >= {int(koc['min_messages'])}))
            SELECT gi.g, (SELECT count(*) FROM k WHERE k.g = gi.g), (SELECT count(*) FROM on_asof o WHERE o.g = gi.g)
            FROM gi
        """)  # fmt: skip
        return out

    # -------------------------------------------------------------- result
    def run(self) -> dict[str, Any]:
        self.prepare()
        self.windows()
        values = self.kpis()
        groups = []
        for g, day0, ai in self.con.execute("SELECT g, day0, ai FROM gi ORDER BY g").fetchall():
            current = (
                "launch"
                if ai < 7
                else "activation"
                if ai < 30
                else "monetisation"
                if ai < 90
                else "retention"
            )
            wins = {
                s: (sd, ed)
                for s, sd, ed in self.con.execute(
                    "SELECT stage, sd, ed FROM win WHERE g = ?", [g]
                ).fetchall()
            }
            stages = []
            for stage in STAGES:
                first = {
                    "launch": 0,
                    "activation": 7,
                    "monetisation": 30,
                    "retention": 90,
                    "propagation": 0,
                }[stage]
                last = {"launch": 6, "activation": 29, "monetisation": 89}.get(stage)
                if ai < first:
                    status = "not_started"
                elif last is not None and ai >= last:
                    status = "complete"
                else:
                    status = "in_progress"
                kpis = []
                for name in STAGE_KPIS[stage]:
                    nd = values.get((g, name)) if status != "not_started" else None
                    num, den = nd if nd else (None, None)
                    if name == "aov" and num is not None:
                        num = round(float(num), 6)
                    kpis.append(
                        {
                            "name": name,
                            "numerator": num,
                            "denominator": den,
                            "value": (num / den) if nd and den else None,
                            "available": nd is not None,
                        }
                    )
                w = wins.get(stage)
                stages.append(
                    {
                        "stage": stage,
                        "status": status,
                        "window": [w[0].isoformat(), w[1].isoformat()] if w else None,
                        "kpis": kpis,
                    }
                )
            groups.append(
                {
                    "group_id": g,
                    "day0": day0.isoformat(),
                    "current_stage": current,
                    "stages": stages,
                }
            )
        return {"as_of": self.as_of.isoformat(), "basis": self.basis, "groups": groups}


def reference_report(
    data: Path,
    sop: Path,
    as_of: dt.date | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> dict[str, Any]:
    return Reference(Path(data), Path(sop), as_of, threads, memory_limit).run()


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def compare(report: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Every difference between ``sqops report --format json`` and the reference, as lines.

    Compared: the as-of day, the set of groups, day 0, and for every stage the reference
    has started, each KPI's availability, numerator and denominator.
    """
    out: list[str] = []
    if report.get("as_of") != reference["as_of"]:
        out.append(f"as_of: sqops {report.get('as_of')} != reference {reference['as_of']}")
    rep_groups = {g["group_id"]: g for g in report.get("groups", [])}
    ref_groups = {g["group_id"]: g for g in reference["groups"]}
    for gid in sorted(set(rep_groups) ^ set(ref_groups)):
        out.append(f"{gid}: only in {'sqops' if gid in rep_groups else 'reference'}")
    for gid in sorted(set(rep_groups) & set(ref_groups)):
        rg, fg = rep_groups[gid], ref_groups[gid]
        if rg.get("day0") != fg["day0"]:
            out.append(f"{gid}: day0 sqops {rg.get('day0')} != reference {fg['day0']}")
        rep_kpis = {
            (s["stage"], k["name"]): k for s in rg.get("stages", []) for k in s.get("kpis", [])
        }
        for stage in fg["stages"]:
            if stage["status"] == "not_started":
                continue
            for k in stage["kpis"]:
                key = (stage["stage"], k["name"])
                where = f"{gid} {stage['stage']}.{k['name']}"
                got = rep_kpis.get(key)
                if got is None:
                    out.append(f"{where}: missing in sqops")
                    continue
                if bool(got.get("available")) != k["available"]:
                    out.append(
                        f"{where}: available sqops {got.get('available')} != reference {k['available']}"
                    )
                    continue
                if not k["available"]:
                    continue
                for part in ("numerator", "denominator"):
                    if not _close(got.get(part), k[part]):
                        out.append(f"{where}: {part} sqops {got.get(part)} != reference {k[part]}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--sop", type=Path, required=True)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 6GB")
    ap.add_argument("-o", "--output", type=Path, default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    result = reference_report(args.data, args.sop, args.as_of, args.threads, args.memory_limit)
    result["seconds"] = round(time.perf_counter() - t0, 3)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
