"""WhatsApp "Export chat" text files (``whatsapp``), Android and iOS styles.

* Android: ``31/12/2026, 21:15 - Alice: hello`` (also ``12/31/26, 9:15 PM - ...``)
* iOS: ``[31/12/2026, 21:15:03] Alice: hello`` (also ``[12/31/26, 9:15:03 PM] ...``)

12- and 24-hour clocks; ``AM``/``PM``, localised ``a. m.``/``p. m.``, ``上午``/``下午``;
invisible characters (U+200E, U+202F, U+00A0) are ignored. The day/month order is inferred
from the whole file: a first number above 12 means day first, a second one above 12 means
month first; when no date decides it, English AM/PM clocks are read month first and others
day first (and a note says so). Lines that do not start a message continue the previous one.

WhatsApp names people, it has no ids: ``member_id`` is ``name:<name>`` (``tel:+<digits>``
for numbers), see :func:`sqops.importers._base.name_id`. The group id is ``--group-id``, else
the chat name from the file name (``WhatsApp Chat with NAME.txt``; for ``_chat.txt`` the
folder name), else the file name without extension.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import polars as pl

from sqops.data.scalars import clean
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers import _text
from sqops.importers._base import SYSTEM_ID, Context, name_id, norm_name, split_lines
from sqops.importers._text import (
    PY_SPACE,
    WS,
    Capture,
    Carry,
    Lines,
    bare,
    clean_column,
    local_times,
)

_AP = r"(?P<ap>[AaPp]\.?\s?[Mm]\.?|上午|下午)"
_DATE = r"(?P<date>[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4})"
_TIME = r"(?P<time>[0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2})?)"
_AP0 = r"(?:(?P<ap0>上午|下午|午前|午後)\s*)?"  # Chinese/Japanese clocks put it first
#: between the date and the time: a comma, or French Android's "à" ("26/09/2019 à 22:39 - ",
#: seen in github.com/JBGruber/rwhatsapp/issues/8), or nothing
_AT = r"(?:,|\s+à)?"
_ANDROID = re.compile(rf"^{_DATE}{_AT}\s+{_AP0}{_TIME}(?:\s*{_AP})?\s+[-–]\s+(?P<rest>.*)$")
_IOS = re.compile(rf"^\[{_DATE}{_AT}\s+{_AP0}{_TIME}(?:\s*{_AP})?\]\s*(?P<rest>.*)$")
_LOOSE = re.compile(
    rf"^\[?[0-9]{{1,4}}[./-][0-9]{{1,2}}[./-][0-9]{{1,4}}{_AT}\s+[0-9]{{1,2}}[:.][0-9]{{2}}"
)

#: Where the French, Russian and Chinese lines (and the 2.21 wordings of es, de, id) were
#: seen: WhatsApp for Android's own string tables, which its exports write as the system
#: lines (each with a U+200E mark, which :func:`clean` drops):
#:
#: * 2.21.9.15: github.com/maa9605/whtsapp, resources/assets/app_strings_{fr,ru,zh-rCN,
#:   zh-rTW,zh-rHK,es,de,in}.pack (UTF-8; the zh packs UTF-16-BE)
#: * 2.20.123: github.com/ndunks/whatsapp-smali, assets/app_strings_{fr,ru,zh-rCN,zh-rTW}.pack
#:   (the same wordings as 2.21)
#: * older wordings: 2.17.351 as rebuilt by GBWhatsApp, github.com/HassanSardar/GBWhatsApp_Raw
#:   res/values-{fr,ru,zh-rCN,zh-rTW}/strings.xml, and a 2016 build, github.com/GigaDroid/
#:   Decompiled-Whatsapp res/values-{fr,ru,zh-rCN,zh-rTW}/strings.xml
#:
#: They are Android's wordings; WhatsApp for iOS may word its lines differently in these
#: languages (not confirmed: such lines stay system messages without a member event).
_SYSTEM: list[tuple[re.Pattern[str], str, str]] = [
    # named groups: a = actor/inviter, b = member(s), you = the exporter is the actor
    (
        re.compile(r'^(?P<b>.+?) created (?:group ["“”](?P<g>.*)["“”]|this group)$'),
        "join",
        "create",
    ),
    (
        re.compile(r'^(?P<b>.+?) creó (?:el grupo ["“”](?P<g>.*)["“”]|este grupo)$'),
        "join",
        "create",
    ),
    # fr "%1$s a créé le groupe "%2$s"", "Vous avez créé le groupe "%1$s"" (quotes straight
    # in 2.21, curly in 2016)
    (
        re.compile(r'^(?P<b>.+?) a créé le groupe ["“”](?P<g>.*)["“”]$'),
        "join",
        "create",
    ),
    (re.compile(r'^Vous avez créé le groupe ["“”](?P<g>.*)["“”]$'), "join", "create"),
    # ru "%1$s создал(-а) группу "%2$s"", "Вы создали группу "%1$s""
    (
        re.compile(r'^(?P<b>.+?) создал\(-а\) группу ["“”](?P<g>.*)["“”]$'),
        "join",
        "create",
    ),
    (re.compile(r'^Вы создали группу ["“”](?P<g>.*)["“”]$'), "join", "create"),
    # zh-Hans "%1$s 创建了 "%2$s" 群组" (2016: "%1$s 创建了群组 “%2$s”"), zh-Hant "建立了 … 群組";
    # "您创建了群组…" reads 您 as the exporter
    (
        re.compile(
            r'^(?P<b>.+?)\s*(?:创建|建立)了\s*(?:群[组組]\s*)?["“”](?P<g>.*)["“”]\s*(?:群[组組])?$'
        ),
        "join",
        "create",
    ),
    (re.compile(r"^(?P<b>.+?) joined using (?:this group's|an) invite link$"), "join", "link"),
    (
        re.compile(r"^(?P<b>.+?) se unió usando el enlace de invitación(?: de este grupo)?$"),
        "join",
        "link",
    ),
    # passive lines about the exporter ("You were added", "Ana added you"): no ``b`` group
    # means the member is the exporter ("You"); they come before the general forms
    (re.compile(r"^You were added$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) added you$"), "join", "invite"),
    # es with a final "." (iOS, "[d/m/yy, h:mm:ss] CHAT: ‎A te añadió.": seen with "creó este
    # grupo" and "imagen omitida" in a Spanish reader of iOS exports, and in WhatsApp's own chat
    # list, "A te añadió.", "Añadiste a B.")
    (re.compile(r"^(?P<a>.+?) te añadió\.?$"), "join", "invite"),
    (re.compile(r"^Te uniste usando el enlace de invitación(?: de este grupo)?$"), "join", "link"),
    (re.compile(r"^(?P<a>.+?) adicionou você$"), "join", "invite"),
    (re.compile(r"^Você entrou usando o link de convite deste grupo$"), "join", "link"),
    # newer wordings seen in readers of iOS exports: the creation without the group's name and
    # the leave with the group named. es "Creaste el grupo "…"" (a Spanish export viewer's list
    # of system lines); pt "Você criou este grupo", "A criou este grupo" (github.com/rodrigogs/
    # whats-reader, src/lib/parser/chat-parser.ts, and a Brazilian _chat.txt reader's filter
    # "criou (o|este) grupo", which also has "B entrou usando seu link de convite": the
    # exporter's link); zh-Hans "A 创建了此群组", "A 退出了群组", zh-Hant "A 建立了此群組", "A 已離開群組"
    # (github.com/ChatLab/ChatLab, packages/parser/src/formats/whatsapp-native-txt.ts)
    (re.compile(r'^Creaste (?:el grupo ["“”](?P<g>.*)["“”]|este grupo)\.?$'), "join", "create"),
    (re.compile(r"^Você criou este grupo\.?$"), "join", "create"),
    (re.compile(r"^(?P<b>.+?) criou este grupo\.?$"), "join", "create"),
    (re.compile(r"^(?P<b>.+?)\s*(?:创建了此群组|建立了此群組)$"), "join", "create"),
    (re.compile(r"^(?P<b>.+?)\s*(?:退出了群组|已離開群組)$"), "leave", "left"),
    (re.compile(r"^(?P<b>.+?) entrou usando seu link de convite(?P<you>)$"), "join", "link"),
    # pt: the exporter's own lines, pt-BR ("Você …") and pt-PT (no subject) as WhatsApp for
    # Android 2.21 words them (app_strings_pt.pack holds both: pt first, then pt-BR's own
    # strings), and pt-PT's 2.17 wordings (GBWhatsApp res/values-pt): "Você criou o grupo
    # "%s".", "Criou o grupo "%s"", "Você foi adicionado(a)", "Foi adicionado", "Foi adicionado
    # a este grupo (por %s)", "%s adicionou-o(a)", "Aderiu através da ligação de convite deste
    # grupo", "Entrou no grupo através da ligação de convite" (2.17), "Você entrou usando um
    # convite de %s", "Aderiu ao grupo por convite de %s", "Você saiu", "Saiu do grupo", "Você
    # foi removido(a)", "Foi removido", "Foi removido(a) por %s", "Foi removido deste grupo
    # por %s" (2.17), "%s removeu você", "Você adicionou %s", "Adicionou %s", "Você removeu %s",
    # "Removeu %s"
    (re.compile(r'^(?:Você criou|Criou) o grupo ["“”](?P<g>.*)["“”]\.?$'), "join", "create"),
    (
        re.compile(r"^Foi adicionado(?:\(a\))? (?:a este grupo )?por (?P<a>.+)$"),
        "join",
        "invite",
    ),
    (
        re.compile(r"^(?:Você foi adicionado(?:\(a\))?|Foi adicionado(?: a este grupo)?)$"),
        "join",
        "invite",
    ),
    (re.compile(r"^(?P<a>.+?) adicionou-o\(a\)$"), "join", "invite"),
    (
        re.compile(
            r"^(?:Aderiu através da ligação de convite deste grupo"
            r"|Entrou no grupo através da ligação de convite)$"
        ),
        "join",
        "link",
    ),
    (
        re.compile(r"^(?:Você entrou usando um convite|Aderiu ao grupo por convite) de (?P<a>.+)$"),
        "join",
        "invite",
    ),
    (re.compile(r"^(?:Você saiu|Saiu do grupo)$"), "leave", "left"),
    (
        re.compile(r"^Foi removido(?:\(a\))? (?:deste grupo )?por (?P<a>.+)$"),
        "leave",
        "removed",
    ),
    (
        re.compile(r"^(?:Você foi removido(?:\(a\))?|Foi removido(?: do grupo)?)$"),
        "leave",
        "removed",
    ),
    (re.compile(r"^(?P<a>.+?) removeu você$"), "leave", "removed"),
    (
        re.compile(r"^(?P<you>Você adicionou|Adicionou) (?P<b>.+?)(?: a este grupo)?$"),
        "join",
        "invite",
    ),
    (
        re.compile(r"^(?P<you>Você removeu|Removeu) (?P<b>.+?)(?: deste grupo)?$"),
        "leave",
        "removed",
    ),
    (re.compile(r"^(?P<a>.+?) hat dich hinzugefügt\.?$"), "join", "invite"),
    (
        re.compile(
            r"^Du bist (?:über den Einladungslink dieser Gruppe"
            r"|dieser Gruppe mit dem Einladungslink) beigetreten\.?$"
        ),
        "join",
        "link",
    ),
    (re.compile(r"^(?P<a>.+?) (?:telah )?menambahkan Anda$"), "join", "invite"),
    (
        re.compile(r"^Anda (?:telah )?bergabung menggunakan tautan undangan grup ini$"),
        "join",
        "link",
    ),
    # de and id, the exporter created the group, was added or removed with no actor named,
    # or joined by someone's invitation (Android 2.21; "telah" and 2.17's "Anda membuat grup"
    # as GBWhatsApp res/values-in words them): "Du hast die Gruppe "%s" erstellt.", "Du wurdest
    # hinzugefügt.", "Du wurdest entfernt.", "Du bist über eine Einladung von %s beigetreten.",
    # "Anda telah membuat grup "%s"", "Anda telah ditambahkan", "Anda telah dikeluarkan",
    # "Anda telah bergabung menggunakan undangan dari %s"
    (re.compile(r'^Du hast die Gruppe [„"“](?P<g>.*)[“"”] erstellt\.?$'), "join", "create"),
    (re.compile(r"^Du wurdest hinzugefügt\.?$"), "join", "invite"),
    (re.compile(r"^Du wurdest entfernt\.?$"), "leave", "removed"),
    (re.compile(r"^Du bist über eine Einladung von (?P<a>.+?) beigetreten\.?$"), "join", "invite"),
    (re.compile(r'^Anda (?:telah )?membuat grup ["“”](?P<g>.*)["“”]$'), "join", "create"),
    (re.compile(r"^Anda telah ditambahkan$"), "join", "invite"),
    (re.compile(r"^Anda telah dikeluarkan$"), "leave", "removed"),
    (
        re.compile(r"^Anda (?:telah )?bergabung menggunakan undangan dari (?P<a>.+)$"),
        "join",
        "invite",
    ),
    # es, de, id as Android 2.21 words them (its string tables, see above): the exporter
    # left ("Saliste del grupo", "Du hast die Gruppe verlassen.", "Anda keluar"), was removed
    # ("%s te eliminó", "%s hat dich entfernt.", "%s telah mengeluarkan Anda"), added or
    # removed someone ("Añadiste a %s", "Eliminaste a %s", "Du hast %s hinzugefügt.",
    # "Du hast %s entfernt.", "Anda telah menambahkan %s", "Anda telah mengeluarkan %s")
    (
        re.compile(r"^(?:Saliste del grupo|Du hast die Gruppe verlassen\.?|Anda keluar)$"),
        "leave",
        "left",
    ),
    (
        re.compile(
            r"^(?P<a>.+?) (?:te eliminó|hat dich entfernt\.?|(?:telah )?mengeluarkan Anda)$"
        ),
        "leave",
        "removed",
    ),
    # (Spanish iOS ends these lines with a period, as "A te añadió.": not part of the name
    # there — ``dot``, dropped from iOS lines only: on Android it is the name's, "Ana M.")
    (re.compile(r"^(?P<you>Añadiste) a (?P<b>.+?)(?P<dot>\.)?$"), "join", "invite"),
    (re.compile(r"^(?P<you>Eliminaste) a (?P<b>.+?)(?P<dot>\.)?$"), "leave", "removed"),
    (re.compile(r"^(?P<you>Du) hast (?P<b>.+) hinzugefügt\.?$"), "join", "invite"),
    (re.compile(r"^(?P<you>Du) hast (?P<b>.+) entfernt\.?$"), "leave", "removed"),
    (re.compile(r"^(?P<you>Anda) (?:telah )?menambahkan (?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<you>Anda) (?:telah )?mengeluarkan (?P<b>.+)$"), "leave", "removed"),
    # fr: "Vous avez été ajouté(e)", "%s vous a ajouté", "Vous avez intégré le groupe en
    # utilisant le lien d'invitation", "Vous êtes parti(e)." (2016/2017: "Groupe quitté"),
    # "%s vous a retiré"
    (re.compile(r"^Vous avez été ajouté\(e\)$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) vous a ajouté$"), "join", "invite"),
    (
        re.compile(r"^Vous avez intégré le groupe en utilisant le lien d['’]invitation$"),
        "join",
        "link",
    ),
    (re.compile(r"^(?:Vous êtes parti\(e\)\.?|Groupe quitté)$"), "leave", "left"),
    (re.compile(r"^(?P<a>.+?) vous a retiré$"), "leave", "removed"),
    # ru: "Вы были добавлены", "%s добавил(-а) вас", "Вы вступили в группу, используя
    # приглашение." (2.17: "Вы присоединились к группе, …"), "Вы покинули группу",
    # "%s удалил(-а) вас"
    (re.compile(r"^Вы были добавлены$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) добавил\(-а\) вас$"), "join", "invite"),
    (
        re.compile(r"^Вы (?:вступили в группу|присоединились к группе), используя приглашение\.?$"),
        "join",
        "link",
    ),
    (re.compile(r"^Вы покинули группу$"), "leave", "left"),
    (re.compile(r"^(?P<a>.+?) удалил\(-а\) вас$"), "leave", "removed"),
    # zh-Hans / zh-Hant: "您已被添加" / "您被加到群組", "%s 添加了您" / "%s 新增了您",
    # "您使用了群组邀请链接加入群组" (2.17: "…连结…") / "您使用了群組邀請連結加入群組",
    # "您已退出群组" / "您已退出群組", "%s 移除了您"
    (re.compile(r"^(?:您已被添加|您被加到群組)$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?)\s*(?:添加|新增)了您$"), "join", "invite"),
    (re.compile(r"^您使用了群[组組]邀[请請](?:链接|连结|連結)加入群[组組]$"), "join", "link"),
    (re.compile(r"^您已退出群[组組]$"), "leave", "left"),
    (re.compile(r"^(?P<a>.+?)\s*移除了您$"), "leave", "removed"),
    # others (pt, de, id)
    (
        re.compile(r"^(?P<b>.+?) entrou usando o link de convite deste grupo$"),
        "join",
        "link",
    ),
    # pt (Android 2.21 and pt-PT 2.17, see above): "%1$s criou o grupo "%2$s"", "%s aderiu
    # através da ligação de convite deste grupo" (pt-PT), "%s entrou no grupo através da
    # ligação de convite" (pt-PT 2.17), "%1$s entrou usando um convite de %2$s" and "%s entrou
    # usando seu convite" (pt-BR), "%s foi adicionado(a)", "%s foi removido(a)", "%s saiu do
    # grupo" (pt-PT; pt-BR "%s saiu"), "%1$s adicionou %2$s (a este grupo)", "%1$s removeu
    # %2$s (deste grupo)"
    (re.compile(r'^(?P<b>.+?) criou o grupo ["“”](?P<g>.*)["“”]\.?$'), "join", "create"),
    (
        re.compile(
            r"^(?P<b>.+?) (?:aderiu através da ligação de convite deste grupo"
            r"|entrou no grupo através da ligação de convite)$"
        ),
        "join",
        "link",
    ),
    (re.compile(r"^(?P<b>.+?) entrou usando um convite de (?P<a>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<b>.+?) entrou usando seu convite(?P<you>)$"), "join", "invite"),
    (
        re.compile(r"^(?P<b>.+?) foi adicionado(?:\(a\))?(?: a este grupo)?$"),
        "join",
        "invite",
    ),
    (re.compile(r"^(?P<b>.+?) foi removido(?:\(a\))?$"), "leave", "removed"),
    # de and id, someone added or removed with no actor named: "%s wurde hinzugefügt.", "%s
    # wurde entfernt.", "%s telah ditambahkan", "%s telah dikeluarkan"
    (re.compile(r"^(?P<b>.+?) (?:wurde hinzugefügt\.?|telah ditambahkan)$"), "join", "invite"),
    # es, the same with no actor named: "Se añadió a %s" (a Spanish reader's list of system
    # lines) — not an actor called "Se"
    (re.compile(r"^Se añadió a (?P<b>.+?)(?P<dot>\.)?$"), "join", "invite"),
    (re.compile(r"^(?P<b>.+?) (?:wurde entfernt\.?|telah dikeluarkan)$"), "leave", "removed"),
    # de and id also in Android 2.21's wording: a final "." (de), "ist dieser Gruppe mit dem
    # Einladungslink beigetreten.", "telah" ("has") before the verb (id), and the creation
    # ("%1$s hat die Gruppe „%2$s“ erstellt.", "%1$s telah membuat grup "%2$s"")
    (
        re.compile(
            r"^(?P<b>.+?) ist (?:über den Einladungslink dieser Gruppe"
            r"|dieser Gruppe mit dem Einladungslink) beigetreten\.?$"
        ),
        "join",
        "link",
    ),
    (
        re.compile(r"^(?P<b>.+?) (?:telah )?bergabung menggunakan tautan undangan grup ini$"),
        "join",
        "link",
    ),
    (
        re.compile(r'^(?P<b>.+?) hat die Gruppe [„"“](?P<g>.*)[“"”] erstellt\.?$'),
        "join",
        "create",
    ),
    (re.compile(r'^(?P<b>.+?) (?:telah )?membuat grup ["“”](?P<g>.*)["“”]$'), "join", "create"),
    (re.compile(r"^(?P<a>.+?) adicionou (?P<b>.+?)(?: a este grupo)?$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) hat (?P<b>.+) hinzugefügt\.?$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) (?:telah )?menambahkan (?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) removeu (?P<b>.+?)(?: deste grupo)?$"), "leave", "removed"),
    (re.compile(r"^(?P<a>.+?) hat (?P<b>.+) entfernt\.?$"), "leave", "removed"),
    (re.compile(r"^(?P<a>.+?) (?:telah )?mengeluarkan (?P<b>.+)$"), "leave", "removed"),
    (re.compile(r"^(?P<b>.+?) saiu(?: do grupo)?$"), "leave", "left"),
    (re.compile(r"^(?P<b>.+?) hat die Gruppe verlassen\.?$"), "leave", "left"),
    (re.compile(r"^(?P<b>.+?) keluar$"), "leave", "left"),
    # fr (2.21): "%s a intégré ce groupe grâce au lien d'invitation", "%1$s a ajouté %2$s",
    # "Vous avez ajouté %s", "%1$s a retiré %2$s", "Vous avez retiré %s", "%s est parti(e)"
    # (2016/2017: "%s est parti")
    (
        re.compile(r"^(?P<b>.+?) a intégré ce groupe grâce au lien d['’]invitation$"),
        "join",
        "link",
    ),
    (re.compile(r"^(?P<you>Vous) avez ajouté (?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<you>Vous) avez retiré (?P<b>.+)$"), "leave", "removed"),
    (re.compile(r"^(?P<a>.+?) a ajouté (?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) a retiré (?P<b>.+)$"), "leave", "removed"),
    (re.compile(r"^(?P<b>.+?) est parti(?:\(e\))?$"), "leave", "left"),
    # ru (2.21): "%s вступил(-а) в группу, используя приглашение." (2.17: "%s присоединился(-ась)
    # к группе, …"), "%1$s добавил(-а) контакт %2$s" (2016/2017: without "контакт"),
    # "Вы добавили %s", "%1$s удалил(-а) %2$s", "Вы удалили %s", "%s покинул(-а) группу"
    (
        re.compile(
            r"^(?P<b>.+?) (?:вступил\(-а\) в группу|присоединился\(-ась\) к группе),"
            r" используя приглашение\.?$"
        ),
        "join",
        "link",
    ),
    (re.compile(r"^(?P<you>Вы) добавили (?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<you>Вы) удалили (?P<b>.+)$"), "leave", "removed"),
    (re.compile(r"^(?P<a>.+?) добавил\(-а\) (?:контакт )?(?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) удалил\(-а\) (?P<b>.+)$"), "leave", "removed"),
    (re.compile(r"^(?P<b>.+?) покинул\(-а\) группу$"), "leave", "left"),
    # zh-Hans / zh-Hant (2.21): "%s 使用了群组邀请链接加入群组" / "…群組邀請連結…", "%1$s 添加了
    # %2$s" (both), "您添加了 %s" / "您新增了 %s", "%1$s 移除了 %2$s", "%s 退出了"; 您 is the exporter
    (
        re.compile(r"^(?P<b>.+?)\s*使用了群[组組]邀[请請](?:链接|连结|連結)加入群[组組]$"),
        "join",
        "link",
    ),
    (re.compile(r"^(?P<a>.+?)\s*(?:添加|新增)了\s*(?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?)\s*移除了\s*(?P<b>.+)$"), "leave", "removed"),
    (re.compile(r"^(?P<b>.+?)\s*退出了$"), "leave", "left"),
    (re.compile(r"^(?P<a>.+?) added (?P<b>.+)$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) añadió a (?P<b>.+?)(?P<dot>\.)?$"), "join", "invite"),
    (re.compile(r"^(?P<a>.+?) removed (?P<b>.+)$"), "leave", "removed"),
    (re.compile(r"^(?P<a>.+?) eliminó a (?P<b>.+?)(?P<dot>\.)?$"), "leave", "removed"),
    (re.compile(r"^(?P<b>.+?) left$"), "leave", "left"),
    (re.compile(r"^(?P<b>.+?) salió(?: del grupo)?$"), "leave", "left"),
]
#: system lines that are never member events although a pattern above would take them:
#: subject changes, even when the new subject reads like an event ("Ana changed the subject
#: to "Bea added Carla""), and the creation by a creator WhatsApp does not name ("Group
#: creator created group "…"", which is no join of someone called "Group creator").
#: Wordings: en, WhatsApp for Android 2.24.6.77 (github.com/Meghdut-Mandal/
#: com.whatsapp_2.24.6.77, resources/res/values/strings.xml); es, de, fr, ru, zh, the 2.21
#: string tables (see _SYSTEM; fr "par" and zh "更改群组主题为" are the 2016 build's)
_NO_EVENT = re.compile(
    r"^(?:(?:Group creator created group|El creador del grupo creó el grupo"
    r'|Le créateur de groupe a créé le groupe|Pembuat grup telah membuat grup) ["“”]'
    r"|Der Gruppengründer hat die Gruppe "
    r'|.+? changed the subject (?:from|to) ["“”]'
    r'|(?:.+? cambió|Cambiaste) el asunto (?:de|a) ["“”]'
    r'|(?:.+? hat|Du hast) den Betreff (?:zu|von) [„"“]'
    r'|(?:.+? a (?:modifié|changé)|Vous avez changé) le sujet (?:en |par )?["“”]'
    r'|(?:.+? изменил\(-?а\)|Вы изменили) тему (?:группы )?(?:на|с) ["“”]'
    r"|.+?(?:更改了主题为|把主题从|将群组主题更改为|更改群组主题为|變更了主題為|將主題由"
    r'|將主題變更為|將主題更改為|更改群組主題為)\s*["“”]'
    # pt: the unnamed creator ("O criador do grupo" pt-PT, "Um admin" pt-BR), subject changes
    # (pt-BR "mudou o nome (do grupo) de/para", 2.17 "alterou o nome"; pt-PT "alterou o
    # assunto (da conversa / do grupo) de/para"), pt-PT's broadcast-list lines ("Adicionou %s à
    # lista"); id: subject changes ("(telah) mengubah subjek dari/menjadi")
    r'|(?:O criador do grupo|Um admin) criou o grupo ["“”]'
    r"|(?:.+? (?:mudou|alterou)|Você (?:mudou|alterou)|Alterou) o (?:nome|assunto)"
    r' (?:do grupo |da conversa )?(?:de |para )?["“”]'
    r"|(?:Adicionou .+ à|Removeu .+ da) lista$"
    r'|(?:.+?|Anda) (?:telah )?mengubah subjek (?:dari|menjadi) ["“”])'
)
#: Android's "%s (file attached)" and "<Media omitted>" in de, pt-BR, pt-PT, id, es (2.21's
#: string tables and 2.17's, see _SYSTEM); iOS German writes "<Anhang: …>" for "<attached: …>"
#: (seen in German iOS exports quoted by WhatsApp readers' tests)
_ATT = (
    r"file attached|Datei angehängt|arquivo anexado|ficheiro anexado|file terlampir|archivo adjunto"
)
_OMITTED = (
    r"Medien ausgeschlossen|Medien weggelassen|Arquivo de mídia oculto|Mídia omitida"
    r"|Ficheiro não revelado|Media tidak disertakan"
    # zh-Hans and zh-Hant Android (github.com/ChatLab/ChatLab's WhatsApp reader)
    r"|省略影音内容|已省略多媒體檔案"
    # fr, ru, zh, es Android, the current wording and an older one each (github.com/mlomb/
    # chat-analytics, pipeline/parse/parsers/WhatsApp.ts, "Patterns")
    r"|Médias omis|Fichier omis|Без медиафайлов|Файл пропущен|忽略多媒體檔|省略多媒体文件|Archivo omitido"
)
#: How WhatsApp for iOS writes attachments and omitted media in other languages.
#: iOS writes "<attached: FILE>" in the phone's language: es "<adjunto: …>" (github.com/
#: rodrigogs/whats-reader issue #78's export, examples/parser-tests), pt-BR "<anexado: …>" (a
#: Brazilian _chat.txt reader's source), fr "<pièce jointe : …>", ru "<прикреплено: …>", zh
#: "<附件: …>" / "<已附加：…>" (whats-reader's examples/parser-tests/README.md, from WhatsApp for
#: iOS's Localizable.strings, pull #76; zh also ChatLab's reader). Omitted media, each with
#: U+200E: pt-BR "imagem ocultada", "áudio ocultado", "vídeo omitido", "figurinha omitida",
#: "documento omitido", "Cartão do contato omitido" (the filters of several Brazilian readers of
#: iOS exports); fr "image omise", "vidéo omise", "audio omis", "sticker omis", "document omis"
#: (French chat analysers' marker lists); id "gambar tidak disertakan", "stiker tidak
#: disertakan" (an Indonesian order reader of WhatsApp chats); zh-Hant "圖片已略去", "影片已略去",
#: "音訊已略去", "貼圖已略去" / "貼圖已忽略" (ChatLab's reader); de "Bild weggelassen", "Video
#: weggelassen", "Audio weggelassen", "GIF weggelassen", "Sticker weggelassen", "Dokument
#: weggelassen", "Kontaktkarte weggelassen" (German readers of "[dd.mm.yy, hh:mm:ss]" exports,
#: many alike); fr also "image absente", "vidéo absente", "audio absent", "document absent",
#: "GIF retiré", "autocollant omis", "carte de contact omise" (two French export viewers: the
#: French wording differs between app versions, both are read)
_IOS_AT = (
    r"^<(?:(?:attached|Anhang): |(?:adjunto|anexado|pièce jointe|прикреплено|附件|已附加) ?[:：] ?)"
)
_MEDIA: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            rf"^(image|imagen) (omitted|omitida)$|^IMG-\S+ \((?:{_ATT})\)$|{_IOS_AT}\S*PHOTO\S*>$"
            r"|^(?:imagem ocultada|image (?:omise|absente)|Bild weggelassen"
            r"|gambar tidak disertakan|圖片已略去)$",
            re.I,
        ),
        "image",
    ),
    (
        re.compile(
            rf"^(audio) (omitted|omitido)$|^PTT-\S+ \((?:{_ATT})\)$|{_IOS_AT}\S*AUDIO\S*>$"
            r"|^(?:áudio ocultado|audio (?:omis|absent)|Audio weggelassen|音訊已略去)$",
            re.I,
        ),
        "voice",
    ),
    (
        re.compile(
            rf"^(video|GIF) (omitted|omitido)$|^VID-\S+ \((?:{_ATT})\)$|{_IOS_AT}\S*VIDEO\S*>$"
            r"|^(?:vídeo (?:omitido|ocultado)|vidéo (?:omise|absente)|GIF (?:omis|retiré)"
            r"|(?:Video|GIF) weggelassen|影片已略去)$",
            re.I,
        ),
        "video",
    ),
    (
        re.compile(
            rf"^(sticker) (omitted|omitido)$|^STK-\S+ \((?:{_ATT})\)$|{_IOS_AT}\S*STICKER\S*>$"
            r"|^(?:figurinha omitida|sticker omis|autocollant omis|Sticker weggelassen"
            r"|stiker tidak disertakan|貼圖已(?:略去|忽略))$",
            re.I,
        ),
        "sticker",
    ),
    (
        re.compile(
            rf"^(document|documento) (omitted|omitido)$|^.+ \((?:{_ATT})\)$|{_IOS_AT}.+>$"
            r"|^(?:document (?:omis|absent)|Dokument weggelassen)$",
            re.I,
        ),
        "file",
    ),
    (
        re.compile(
            rf"^<(?:Media omitted|Multimedia omitido|{_OMITTED})>$|^Contact card omitted$"
            r"|^(?:Cartão do contato omitido|carte de contact omise|Kontaktkarte weggelassen)$",
            re.I,
        ),
        "other",
    ),
]
#: how a line lists several members: "Ana, Bea and Carla"; fr ", … et …", ru ", … и …",
#: zh "、" / "，" and " 和 " (the 2.21 string tables' list patterns); pt ", … e …", de ", …
#: und …", id ", …, dan …" (a comma before "dan": GBWhatsApp's res/values-in names_3)
_SPLIT = re.compile(
    r"\s*[,，、]\s*(?:(?:and|y|e|und|dan|et|и)\s+)?|\s+(?:and|y|e|und|dan|et|и|和)\s+"
)
#: iOS marks a sender who is not in the exporter's contacts with "~" and U+202F before the
#: name ("[2023/5/4, 16:17:13] ~ Carolina: …", github.com/langchain-ai/langchain/pull/6555;
#: also inside its system lines, "~ Maija changed this group's icon"); :func:`clean` has made
#: the U+202F a space. The mark is no part of the name: "~ Carolina" is Carolina.
_UNSAVED = re.compile(r"^~\s+")


def _person(name: str) -> str:
    """A WhatsApp name without iOS's not-a-contact mark (called once per message: the regex
    only runs on the rare name that starts with "~")."""
    name = name.strip()
    return _UNSAVED.sub("", name) if name.startswith("~") else name


#: the placeholder of a message deleted for everyone ("…was deleted") and of one the exporter
#: deleted ("You deleted…"). Android writes it as the speaker's text; iOS marks it with U+200E
#: as it marks system lines, yet it is still the speaker's message, read as Android's. Wordings
#: of WhatsApp's own placeholders (en, de, es, fr, it, pt-BR, pt-PT, ru), as a notification
#: reader's tests list them; iOS adds a final period.
_DELETED = re.compile(
    r"^(?:This message was deleted|You deleted this message"
    r"|Diese Nachricht wurde gelöscht|Du hast diese Nachricht gelöscht"
    r"|Se eliminó este mensaje|Eliminaste este mensaje"
    r"|Ce message a été supprimé|Vous avez supprimé ce message"
    r"|Questo messaggio è stato eliminato|Hai eliminato questo messaggio"
    r"|Essa mensagem foi apagada|Esta mensagem foi eliminada|Mensagem apagada"
    r"|Данное сообщение удалено)\.?$"
)

#: the end-to-end-encryption notice, which some exports write as a message of the chat's name
#: without the U+200E mark of iOS system lines
_E2E = re.compile(
    r"^(?:Messages and calls are end-to-end encrypted"
    r"|Los mensajes y las llamadas están cifrados de extremo a extremo"
    r"|Nachrichten und Anrufe sind (?:jetzt )?Ende-zu-Ende-verschlüsselt"
    # de, pt-BR, pt-PT, id: Android 2.21 (the chat's notice) and 2.17 (the group's, GBWhatsApp
    # res/values-{de,pt-rBR,pt,in})
    r"|Nachrichten an diese Gruppe sind (?:jetzt )?mit Ende-zu-Ende-Verschlüsselung geschützt"
    r"|As mensagens e (?:as )?chamadas (?:desta conversa )?são protegidas com a criptografia"
    r" de ponta a ponta"
    # pt-BR iOS: "ligações" for calls (github.com/SpiritFour/whatsanalyze utils/systemMessages.js,
    # github.com/rodrigogs/whats-reader's parser)
    r"|As mensagens e (?:as )?ligações são protegidas com a criptografia de ponta a ponta"
    r"|As mensagens (?:enviadas a|para) este grupo estão (?:agora )?protegidas com"
    r" (?:a )?criptografia de ponta-a-ponta"
    r"|As mensagens e (?:as )?chamadas são (?:agora )?encriptadas ponto a ponto"
    r"|As mensagens desta conversa e as chamadas estão agora protegidas pela encriptação"
    r"|As mensagens que enviar a este grupo (?:passarão a ser|serão) completamente encriptadas"
    r"|Pesan dan panggilan (?:kini )?terenkripsi secara end-to-end"
    r"|Pesan-pesan yang dikirimkan ke grup ini (?:kini )?diamankan dengan enkripsi end-to-end"
    # fr, ru, zh-Hans, zh-Hant: Android 2.21 (see _SYSTEM); the older group notice was seen in a
    # Russian export (github.com/automaciej/whatsapp-archive/issues/7), the older French one in
    # github.com/JBGruber/rwhatsapp/issues/8; 消息和通话已… and 訊息與通話已受… are the
    # wordings github.com/ChatLab/ChatLab's WhatsApp reader (packages/parser/src/formats/
    # whatsapp-native-txt.ts) recognises exports by
    r"|Les messages et les appels sont (?:désormais )?chiffrés de bout en bout"
    r"|Les messages envoyés dans (?:ce groupe|cette discussion)"
    r"|Сообщения и звонки (?:теперь )?защищены сквозным шифрованием"
    r"|Сообщения в данной группе теперь защищены сквозным шифрованием"
    r"|消息和通话(?:都会|现已|已)进行端到端加密"
    r"|訊息(?:與通話)?已受端對端加密保護)"
)


def looks_like(head: str) -> bool:
    lines = [clean(x) for x in split_lines(head)[:40]]
    hits = sum(1 for x in lines if _ANDROID.match(x) or _IOS.match(x))
    return hits >= 2 or (hits >= 1 and len([x for x in lines if x.strip()]) <= 2)


#: how exports name their file around the chat's name: fr "Discussion WhatsApp avec NAME"
#: (github.com/JBGruber/rwhatsapp/issues/8); zh-Hans "与NAME的 WhatsApp 聊天", zh-Hant
#: "與NAME的WhatsApp對話" (github.com/ChatLab/ChatLab, packages/parser/src/formats/
#: whatsapp-native-txt.ts)
_FILE_NAME = re.compile(r"^(?:与(?P<s>.+?)的\s*WhatsApp\s*聊天|與(?P<t>.+?)的\s*WhatsApp\s*對話)$")


def chat_name(path: Path) -> str:
    stem = path.stem
    for prefix in (
        "WhatsApp Chat with ",
        "WhatsApp Chat - ",
        "Chat de WhatsApp con ",
        "Discussion WhatsApp avec ",
        # de, ru, it, pt (github.com/mlomb/chat-analytics, pipeline/parse/parsers/WhatsApp.ts)
        "WhatsApp Chat mit ",
        "Чат WhatsApp с ",
        "Chat WhatsApp con ",
        "Conversa do WhatsApp com ",
        "Conversa no WhatsApp com ",
    ):
        if stem.startswith(prefix):
            return stem[len(prefix) :].strip()
    m = _FILE_NAME.match(stem)
    if m:
        return (m.group("s") or m.group("t")).strip()
    if stem in ("_chat", "chat") and path.resolve().parent.name:
        return chat_name(Path(path.resolve().parent.name + ".txt"))
    return stem


def _order(dates: list[tuple[int, int, int]], ap_en: bool) -> tuple[str, bool]:
    """'ymd' | 'dmy' | 'mdy', and whether it was a guess."""
    if any(a > 31 for a, _, _ in dates):
        return "ymd", False
    first_big = any(a > 12 for a, _, _ in dates)
    second_big = any(b > 12 for _, b, _ in dates)
    if first_big and not second_big:
        return "dmy", False
    if second_big and not first_big:
        return "mdy", False
    return ("mdy" if ap_en else "dmy"), not (first_big and second_big)


def date_order(dates: list[tuple[int, int, int]], ap_en: bool, ctx: Context, display: str) -> str:
    """:func:`_order` of the file's dates; a guess is noted against the file."""
    order, guessed = _order(dates, ap_en)
    if guessed:
        ctx.note(
            Location(file=display),
            T(
                "日期顺序无法从文件确定，按{o}读取",
                "the day/month order is not decided by any date in the file; read as {o}",
            ).format(o={"dmy": "day/month/year", "mdy": "month/day/year"}[order]),
        )
    return order


def _split_date(text: str) -> tuple[int, int, int]:
    a, b, c = (int(x) for x in re.split(r"[./-]", text))
    return a, b, c


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    """Read one export: ordinary messages as polars columns (:mod:`sqops.importers._text`),
    the rare lines (system lines, unreadable or oddly dated starts, text before the first
    message) by :class:`_PyLines`, the per-line reader, with the same results.

    Each block is parsed once while the whole file is checked (the day/month order and the
    usual style of dates need every start line before a message is read); a file up to
    :data:`~sqops.importers._text.KEEP` bytes keeps its parsed blocks, a larger one is parsed
    again block by block."""
    lines = Lines(path, display)
    stats = _Stats()
    keep = lines.size() <= _text.KEEP
    parsed: list[pl.DataFrame] = []
    known: list[pl.DataFrame] = []

    def visit(block: pl.DataFrame) -> None:
        part = _parse(block)
        counts, parts = _distinct_parts(part)
        stats.add(counts, parts)
        if keep:
            parsed.append(part)
            known.append(parts)

    lines.check(visit=visit)  # (several blocks: each is parsed here)
    if lines.single:
        stats, parsed, known = _Stats(), [], []
        keep = True
        visit(next(lines.blocks()))
    if not stats.starts:
        raise InputError(
            T(
                "不是 WhatsApp 聊天导出：没有“日期, 时间 - 名字: 消息”或“[日期, 时间] 名字: 消息”格式的行",
                "not a WhatsApp chat export: no 'date, time - name: message' or '[date, time] name: message' line",
            ),
            Location(file=display, line=1),
        )
    order = date_order([(stats.max_a, stats.max_b, 0)], stats.ap_en, ctx, display)
    usual = stats.usual(order)
    reader = _Fast(ctx, display, chat_name(path), order, usual)
    if keep:
        if len(parsed) > 1:
            reader.known = pl.concat(known).unique("head", maintain_order=True)
            reader.block(pl.concat(parsed, rechunk=False), final=True)
        else:
            reader.known = known[0]
            reader.block(parsed[0], final=True)
        return
    for part in (_parse(b) for b in lines.blocks()):
        reader.block(part, final=False)
    reader.block(None, final=True)


# ----------------------------------------------------------------- vectorised reading

_WS = WS
_NS = r"[^\s\x1c-\x1f]"
_F_AP = rf"(?P<ap>[AaPp]\.?{_WS}?[Mm]\.?|上午|下午)"
_F_DATE = r"(?P<a>[0-9]{1,4})(?P<s1>[./-])(?P<b>[0-9]{1,2})(?P<s2>[./-])(?P<c>[0-9]{1,4})"
_F_TIME = r"(?P<hh>[0-9]{1,2})[:.](?P<mi>[0-9]{2})(?:[:.](?P<ss>[0-9]{2}))?"
_F_AP0 = rf"(?:(?P<ap0>上午|下午|午前|午後){_WS}*)?"
_F_AT = rf"(?:,|{_WS}+à)?"
_F_HEAD = rf"{_F_DATE}{_F_AT}{_WS}+{_F_AP0}{_F_TIME}(?:{_WS}*{_F_AP})?"
#: _ANDROID, _IOS and _LOOSE for polars (Python's ``\s``; the date and time in parts)
#: (the rest of the line, ``.*$``, is what follows the match: lines hold no newline)
_F_ANDROID = rf"^{_F_HEAD}{_WS}+[-–]{_WS}+"
_F_IOS = rf"^\[{_F_HEAD}\]{_WS}*"
_F_LOOSE = (
    rf"^\[?[0-9]{{1,4}}[./-][0-9]{{1,2}}[./-][0-9]{{1,4}}{_F_AT}{_WS}+[0-9]{{1,2}}[:.][0-9]{{2}}"
)

#: the same without groups: their match alone is found without the (slower) capture search
_F_ANDROID_BARE, _F_IOS_BARE = bare(_F_ANDROID), bare(_F_IOS)
#: _MEDIA for polars: Python's case-insensitive "i" also matches "ı" and "İ"
_F_MEDIA = [
    ("(?i)" + re.sub(r"[iI]", "[iı\u0130]", p.pattern).replace(r"\S", _NS), kind)
    for p, kind in _MEDIA
]
_F_E2E = "^" + _E2E.pattern[1:]
#: every _MEDIA pattern at once (what may be media is then told apart pattern by pattern)
_F_MAYBE_MEDIA = "|".join(f"(?:{p})" for p, _ in _F_MEDIA)
#: the parts of a start line's date and time (:func:`_head_parts`)
_PARTS = {
    "a": pl.Int64, "s1": pl.String, "b": pl.Int64, "s2": pl.String, "c": pl.Int64,
    "ap0": pl.String, "hh": pl.Int64, "mi": pl.Int64, "ss": pl.Int64, "ap": pl.String,
    "la": pl.UInt32, "lc": pl.UInt32,
}  # fmt: skip


def _head_parts(heads: pl.Series) -> pl.DataFrame:
    """Start lines' date-and-time prefixes (``head``, not null) → their parts (:data:`_PARTS`),
    as the start-line patterns capture them from the whole line (the patterns end where the
    prefix ends, and what follows it does not change their match)."""
    h = pl.col("head")
    ios = heads.str.starts_with("[").sum()
    if ios == 0:
        m = h.str.extract_groups(_F_ANDROID)
    elif ios == len(heads):
        m = h.str.extract_groups(_F_IOS)
    else:
        m = (
            pl.when(h.str.starts_with("["))
            .then(h.str.extract_groups(_F_IOS))
            .otherwise(h.str.extract_groups(_F_ANDROID))
        )
    df = pl.DataFrame({"head": heads}).with_columns(m.alias("m")).unnest("m")
    return df.with_columns(
        *[pl.col(c).cast(pl.Int64) for c in ("a", "b", "c", "hh", "mi")],
        pl.col("ss").cast(pl.Int64).fill_null(0),
        pl.col("a").str.len_chars().alias("la"),
        pl.col("c").str.len_chars().alias("lc"),
    ).select("head", *_PARTS)


def _parse(block: pl.DataFrame) -> pl.DataFrame:
    """The lines with their cleaned text ``cl``, the date-and-time prefix ``head`` of those
    that start a message (null for the others; its parts: :func:`_head_parts`) and whether a
    line looks like a damaged start (``loose``). The prefix is found by a pattern without
    groups (the parts are read once per distinct prefix: a minute's messages share one)."""
    df = block.with_columns(clean_column(block.get_column("raw")).alias("cl"))
    cl = df.get_column("cl")
    ios = cl.str.starts_with("[").sum()
    if ios == 0:
        head = cl.str.extract(_F_ANDROID_BARE, 0)
    elif ios == len(cl):
        head = cl.str.extract(_F_IOS_BARE, 0)
    else:
        head = (
            pl.DataFrame({"cl": cl})
            .select(
                pl.when(pl.col("cl").str.starts_with("["))
                .then(pl.col("cl").str.extract(_F_IOS_BARE, 0))
                .otherwise(pl.col("cl").str.extract(_F_ANDROID_BARE, 0))
            )
            .to_series()
        )
    return df.with_columns(head.alias("head"), head.is_not_null().alias("st")).with_columns(
        (~pl.col("st") & pl.col("cl").str.contains(_F_LOOSE)).alias("loose"),
    )


def _distinct_parts(part: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A parsed block's distinct prefixes with how many start lines have each (``head``,
    ``count``), and their parts (:func:`_head_parts`, the same order)."""
    counts = part.get_column("head").drop_nulls().value_counts(name="count")
    return counts, _head_parts(counts.get_column("head"))


class _Stats:
    """What the whole file says about its dates (:func:`_order`, and how often each style of date is written)."""

    def __init__(self) -> None:
        self.starts = 0
        self.max_a = self.max_b = 0
        self.ap_en = False
        self.styles: dict[tuple[str, str, int, int], int] = {}

    def add(self, counts: pl.DataFrame, parts: pl.DataFrame) -> None:
        """A block's distinct start prefixes and their parts (:func:`_distinct_parts`)."""
        if counts.is_empty():
            return
        st = parts.hstack([counts.get_column("count")])
        marks = st.get_column("ap").drop_nulls().unique().to_list()
        self.ap_en = self.ap_en or any(v.upper().replace(" ", "") in ("AM", "PM") for v in marks)
        agg = st.select(pl.col("count").sum(), pl.col("a").max(), pl.col("b").max()).row(0)
        self.starts += agg[0]
        self.max_a, self.max_b = max(self.max_a, agg[1]), max(self.max_b, agg[2])
        by = st.group_by("s1", "s2", "la", "lc").agg(pl.col("count").sum())
        for s1, s2, la, lc, k in by.iter_rows():
            self.styles[(s1, s2, la, lc)] = self.styles.get((s1, s2, la, lc), 0) + k

    def usual(self, order: str) -> tuple[str, tuple[str, str, int]] | None:
        """The usual style (and its separators and year width) when lines differ from it."""
        counts: dict[str, int] = {}
        key: dict[str, tuple[str, str, int]] = {}
        for (s1, s2, la, lc), k in self.styles.items():
            sample = f"{'1' * la}{s1}1{s2}{'1' * lc}"
            st = _style(sample, order)
            counts[st] = counts.get(st, 0) + k
            key[st] = (s1, s2, la if order == "ymd" else lc)
        if len(counts) < 2:
            return None
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0], key[ranked[0][0]]


def _style(date: str, order: str) -> str:
    """How a date is written: ``dd/mm/yyyy``-like, from its separators and its year's width."""
    parts = re.split(r"([./-])", date)
    year = 0 if order == "ymd" else 4
    out = []
    for i, x in enumerate(parts):
        if i % 2:
            out.append(x)
        else:
            c = order[i // 2]
            out.append(c * (len(x) if i == year else 2))
    return "".join(out)


def _ts(m: re.Match[str], order: str, ctx: Context) -> datetime | None:
    try:
        a, b, c = _split_date(m.group("date"))
    except ValueError:
        return None
    if order == "ymd":
        y, mo, d = a, b, c
    elif order == "dmy":
        d, mo, y = a, b, c
    else:
        mo, d, y = a, b, c
    if y < 100:
        y += 2000
    parts = [int(x) for x in re.split(r"[:.]", m.group("time"))]
    hh, mi, ss = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    ap = (m.group("ap") or m.group("ap0") or "").lower().replace(".", "").replace(" ", "")
    ap = {"午前": "am", "午後": "pm"}.get(ap, ap)
    if ap:
        # some locales write midnight's hour as 0 on a 12-hour clock ("00:08 a. m.")
        if not 0 <= hh <= 12:
            return None
        if ap in ("pm", "下午") and hh < 12:
            hh += 12
        elif ap in ("am", "上午") and hh == 12:
            hh = 0
    try:
        return datetime(y, mo, d, hh, mi, ss, tzinfo=ctx.tz)
    except ValueError:
        return None


def _members(text: str) -> list[str]:
    return [_person(x) for x in _SPLIT.split(text) if x.strip()]


def _system(ctx: Context, group: str, ts: datetime, text: str, *, ios: bool = False) -> None:
    ctx.message(
        ts=ts, group_id=group, member_id=SYSTEM_ID, msg_type="system", content=text, role="bot"
    )
    if _NO_EVENT.match(text):
        return
    for pattern, event, channel in _SYSTEM:
        m = pattern.match(text)
        if not m:
            continue
        gd = m.groupdict()
        if gd.get("dot") and not ios:  # (iOS's closing period is dropped, a name's kept)
            gd["b"] += gd["dot"]
        actor = "You" if "you" in gd else gd.get("a")
        if actor:
            actor = _person(actor)
        if "b" not in gd:  # a passive line: the member is the exporter
            members = ["You"]
        else:
            members = _members(gd["b"]) if actor else [_person(gd["b"])]
        for member in members:
            ctx.member_event(
                ts=ts,
                group_id=group,
                event=event,
                member_name=member,
                inviter_name=actor if event == "join" else None,
                channel=channel,
            )
            ctx.count("notices")
        return


def _emit(ctx: Context, group: str, cur: dict[str, Any]) -> None:
    rest = cur["rest"]
    ts = cur["ts"]
    name, sep, body = rest.partition(": ")
    # an iOS line: "[date, time] " (its system lines also carry U+200E marks)
    ios = cur["raw"].lstrip("\u200e\ufeff ").startswith("[")
    if not sep or any(q in name for q in '"“”'):
        _system(ctx, group, ts, "\n".join([rest, *cur["body"]]).strip(), ios=ios)
        return
    raw_body = cur["raw"].partition(": ")[2] if ": " in cur["raw"] else ""
    content = "\n".join([body, *cur["body"]]).strip()
    msg_type = "text"
    for pattern, kind in _MEDIA:
        if pattern.match(content):
            msg_type = kind
            break
    # iOS writes system lines as messages of the chat's subject, marked with U+200E (which
    # also precedes attachments): a marked body that is not an attachment is a system line
    if (
        msg_type == "text"
        and (raw_body.lstrip(" \u00a0\u202f").startswith("\u200e") or _E2E.match(content))
        and not _DELETED.match(content)
    ):
        _system(ctx, group, ts, content, ios=ios)
        return
    name = _person(name)
    ctx.message(
        ts=ts,
        group_id=group,
        member_id=name_id(name),
        member_name=name,
        msg_type=msg_type,
        content=content if msg_type == "text" else None,
    )


_PM, _AM = ["pm", "下午"], ["am", "上午"]


class _Fast:
    """Reads the parsed blocks in order: messages of ordinary lines as columns, the rest by
    :class:`_PyLines`; a block's last message waits for the next block (it may go on)."""

    def __init__(
        self,
        ctx: Context,
        display: str,
        group: str,
        order: str,
        usual: tuple[str, tuple[str, str, int]] | None,
    ) -> None:
        self.ctx, self.group, self.order, self.usual = ctx, group, order, usual
        self.py = _PyLines(ctx, display, group, order, usual[0] if usual else None)
        self.carry = Carry()
        self.started = False
        #: the parts of every start line's prefix (:func:`_head_parts`), when known beforehand
        self.known: pl.DataFrame | None = None

    def block(self, part: pl.DataFrame | None, *, final: bool) -> None:
        df = self.carry.take(part)
        if df is None:
            return
        if not self.started:
            first = df.get_column("st").arg_true()
            cut = int(first[0]) if len(first) else df.height
            for n, raw in df.head(cut).select("n", "raw").iter_rows():
                self.py.pre(n, raw)
            df = df.slice(cut)
            if df.is_empty():
                return
            self.started = True
        df = df.with_columns((pl.col("st") | pl.col("loose")).cum_sum().alias("seg"))
        df = df.slice(0, self.carry.cut(df, final=final))
        if not df.is_empty():
            self._read(df)

    def _times(self, heads: pl.DataFrame) -> pl.DataFrame:
        """``heads`` with ``ok``, ``_t`` and ``ts`` (:func:`_ts`, when read here)."""
        a, b, c = pl.col("a"), pl.col("b"), pl.col("c")
        y, mo, d = {"ymd": (a, b, c), "dmy": (c, b, a), "mdy": (c, a, b)}[self.order]
        hh = pl.col("hh")
        hour: pl.Expr = hh
        marks = heads.select(pl.coalesce("ap", "ap0")).to_series().drop_nulls().unique()
        if len(marks):
            # "a. m." → "am", 午後 → "pm": in Python, once per distinct mark
            norm = {}
            for v in marks.to_list():
                x = v.lower().replace(".", "").replace(" ", "")
                norm[v] = {"午前": "am", "午後": "pm"}.get(x, x)
            ap = pl.coalesce("ap", "ap0").replace_strict(norm, default=None)
            hour = (
                pl.when(ap.is_not_null() & ~hh.is_between(0, 12))
                .then(None)
                .when(ap.is_in(_PM) & (hh < 12))
                .then(hh + 12)
                .when(ap.is_in(_AM) & (hh == 12))
                .then(0)
                .otherwise(hh)
            )
        times = heads.select(
            pl.when(y < 100).then(y + 2000).otherwise(y).alias("y"),
            mo.alias("mo"),
            d.alias("d"),
            hour.alias("hh"),
            "mi",
            "ss",
        )
        times = local_times(times, self.ctx.tz).select("ok", "_t", "ts")
        return heads.hstack(times)

    def _read(self, df: pl.DataFrame) -> None:
        """Whole messages (each begins at a start or a damaged start line) → the context."""
        cont = ~(pl.col("st") | pl.col("loose"))
        df = df.with_columns(
            (~cont & cont.shift(-1, fill_value=False)).alias("more"),
            cont.alias("cont"),
        )
        starts = df.get_column("cont").not_()
        heads = df.select("n", "raw", "cl", "head", "st", "seg", "more").filter(starts)
        # the times of each distinct date-and-time prefix (and whether it is oddly written)
        known = self.known
        if known is None:
            known = _head_parts(heads.get_column("head").drop_nulls().unique())
        odd = pl.lit(False)
        if self.usual is not None:
            s1, s2, width = self.usual[1]
            year = pl.col("la") if self.order == "ymd" else pl.col("lc")
            odd = ~((pl.col("s1") == s1) & (pl.col("s2") == s2) & (year == width))
        times = self._times(known).select("head", "ok", "_t", "ts", odd.alias("odd"))
        heads = heads.join(times, on="head", how="left", maintain_order="left")
        parts = (
            heads.select(pl.col("cl").str.slice(pl.col("head").str.len_chars()))
            .to_series()
            .str.splitn(": ", 2)
            .struct.unnest()
        )
        heads = heads.with_columns(
            parts.get_column("field_0").alias("name"),
            parts.get_column("field_1").alias("body"),
        )
        heads = heads.with_columns(
            (
                ~pl.col("st")
                | ~pl.col("ok").fill_null(False)
                | pl.col("odd").fill_null(False)
                | pl.col("body").is_null()
                | pl.col("name").str.contains('["“”]')
                # (an empty name: Context.message keeps it as it is, see Capture.hand_over)
                | (pl.col("name").str.strip_chars(PY_SPACE) == "")
            ).alias("py")
        )
        # the text of each message: its first line's body and the lines that go on
        text = heads.get_column("body")
        more = heads.get_column("more")
        if more.any():
            joined = (
                df.select(pl.col("seg").set_sorted(), "cl")  # (a running count: sorted)
                .filter(~starts)
                .group_by("seg", maintain_order=True)
                .agg(pl.col("cl"))
                .get_column("cl")
                .list.join("\n")
            )
            at = more.arg_true()
            text = text.clone().scatter(at, text.gather(at) + "\n" + joined)
        content = pl.Series("content", text).str.strip_chars(PY_SPACE)
        heads = heads.with_columns(content.alias("content"), _kinds(content).alias("msg_type"))
        # iOS marks system lines (and attachments) with U+200E after the name
        marked = heads.get_column("raw").str.contains("\u200e", literal=True)
        if marked.any():
            at = marked.arg_true()
            raw_body = (
                heads.get_column("raw").gather(at).str.splitn(": ", 2).struct.field("field_1")
            )
            flag = (
                raw_body.fill_null("")
                .str.strip_chars_start(" \u00a0\u202f")
                .str.starts_with("\u200e")
            )
            marked = marked.clone().scatter(at, flag)
        heads = heads.with_columns(
            (
                pl.col("py")
                | (
                    (pl.col("msg_type") == "text")
                    & (marked | pl.col("content").str.contains(_F_E2E))
                ).fill_null(False)
            ).alias("py")
        )
        slow = heads.filter(pl.col("py"))
        if not slow.is_empty():
            lines = df.select("seg", "n", "raw").filter(
                pl.col("seg").is_in(slow.get_column("seg").implode())
            )
            for _, group in itertools.groupby(lines.iter_rows(), key=lambda r: r[0]):
                self.py.segment([(n, raw) for _, n, raw in group])
        fast = heads.select("n", "_t", "ts", "name", "msg_type", "content").filter(~heads["py"])
        names = fast.get_column("name").unique().to_list()
        who = pl.DataFrame(
            [(x, *_who(x)) for x in names],
            schema={"name": pl.String, "member_id": pl.String, "member_name": pl.String},
            orient="row",
        )
        fast = fast.join(who, on="name", how="left", maintain_order="left").select(
            pl.col("n").alias("_key"),
            "_t",
            "ts",
            pl.lit(self.group).alias("group_id"),
            "member_id",
            "member_name",
            "msg_type",
            pl.when(pl.col("msg_type") == "text")
            .then(pl.col("content"))
            .replace("", None)
            .alias("content"),
            pl.lit(None, pl.String).alias("role"),
        )
        self.py.cap.hand_over(fast)


def _kinds(content: pl.Series) -> pl.Series:
    """The msg_type of each message text (:data:`_MEDIA`, else text)."""
    out = pl.repeat("text", len(content), dtype=pl.String, eager=True).alias("msg_type")
    maybe = content.str.contains(_F_MAYBE_MEDIA).fill_null(False)
    if not maybe.any():
        return out
    at = maybe.arg_true()
    some = content.gather(at)
    kind = pl.lit("text")
    for pattern, name in reversed(_F_MEDIA):
        kind = pl.when(pl.col("c").str.contains(pattern)).then(pl.lit(name)).otherwise(kind)
    found = pl.DataFrame({"c": some}).select(kind).to_series()
    return out.scatter(at, found)


def _who(name: str) -> tuple[str, str | None]:
    """A sender's name as written → (member_id, member_name), as :func:`_emit` gives them."""
    name = _person(name)
    return name_id(name), (norm_name(name) or None) if name else name


class _PyLines:
    """The per-line reader, for the lines :class:`_Fast` leaves to Python."""

    def __init__(self, ctx: Context, display: str, group: str, order: str, usual: str | None):
        self.cap = Capture(ctx)
        self.ctx, self.display, self.group, self.order, self.usual = (
            ctx,
            display,
            group,
            order,
            usual,
        )
        self.current: dict[str, Any] | None = None

    def pre(self, n: int, raw: str) -> None:
        """A line before the first message."""
        if clean(raw).strip():
            self.ctx.skip(
                Location(file=self.display, line=n),
                T("第一条消息之前的无法识别的行", "unrecognised line before the first message"),
            )

    def segment(self, rows: list[tuple[int, str]]) -> None:
        """A message start (or damaged start) line and the lines that go on from it."""
        self.cap.key = rows[0][0]
        self.current = {"skip": True}
        for n, raw in rows:
            self._line(n, raw)
        self._flush()

    def _flush(self) -> None:
        if self.current is not None and not self.current.get("skip"):
            _emit(cast(Context, self.cap), self.group, self.current)
        self.current = None

    def _line(self, n: int, raw: str) -> None:
        ctx, display = self.ctx, self.display
        line = clean(raw)
        m = _IOS.match(line) or _ANDROID.match(line)
        if m:
            self._flush()
            ts = _ts(m, self.order, ctx)
            if ts is None:
                ctx.skip(
                    Location(file=display, line=n),
                    T("无法读取日期时间", "cannot read the date and time"),
                )
                self.current = {"skip": True}
                return
            if self.usual is not None and _style(m.group("date"), self.order) != self.usual:
                ctx.note(
                    Location(file=display, line=n),
                    T(
                        "这一行的日期“{d}”写法与文件中其他日期（{f}）不同，按 {ts} 读取，请核对",
                        "this line's date '{d}' is written unlike the file's other dates ({f}); "
                        "read as {ts}, please check",
                    ).format(d=m.group("date"), f=self.usual, ts=ts.date().isoformat()),
                )
            self.current = {"ts": ts, "rest": m.group("rest"), "raw": raw, "body": [], "line": n}
            return
        if self.current is None:
            self.pre(n, raw)
            return
        if _LOOSE.match(line):
            self._flush()
            ctx.skip(
                Location(file=display, line=n),
                T("无法读取的消息开头行", "unreadable message start line"),
            )
            self.current = {"skip": True}
            return
        if not self.current.get("skip"):
            self.current["body"].append(line)
