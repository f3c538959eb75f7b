"""Deliver reports to recipients: e-mail over SMTP and copies into shared folders; record each delivery."""

from __future__ import annotations

import json
import os
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path

from flows.settings import SmtpSettings, smtp_password_block

DELIVERIES = "deliveries.json"
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def _password(settings: SmtpSettings) -> str:
    if settings.password or not settings.user:
        return settings.password
    block = smtp_password_block()
    if not block:
        return ""
    from prefect.blocks.system import Secret

    return Secret.load(block).get()


def send_email(settings: SmtpSettings, to: str, subject: str, body: str, attachments: dict[str, bytes]) -> None:
    """Send one message with the report attached. Raises smtplib/OSError errors as they come."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    for name, data in attachments.items():
        maintype, subtype = DOCX_TYPE if name.endswith(".docx") else ("text", "plain")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, _password(settings))
        smtp.send_message(message)


def copy_to_folder(folder: Path, name: str, data: bytes) -> Path:
    """Put a file into a shared folder atomically (recipients never see half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".partial-", dir=folder)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    target = folder / name
    os.replace(temporary, target)
    return target


def read_deliveries(version: Path) -> list[dict]:
    path = version / DELIVERIES
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def record_delivery(version: Path, entry: dict) -> None:
    """Append one delivery record to <version>/deliveries.json (replaced atomically)."""
    records = [*read_deliveries(version), entry]
    handle, temporary = tempfile.mkstemp(prefix=".deliveries-", dir=version)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(records, stream, ensure_ascii=False, indent=2)
    os.replace(temporary, version / DELIVERIES)
