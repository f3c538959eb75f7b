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


class DeliveryError(Exception):
    """A delivery that did not happen, in Chinese, naming server or folder and recipient (never
    a password). `lasting` when trying again soon would meet the same answer (a refused
    recipient, a rejected login)."""

    def __init__(self, message: str, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


def send_email(settings: SmtpSettings, to: str, subject: str, body: str, attachments: dict[str, bytes]) -> None:
    """Send one message with the report attached.

    Raises:
        DeliveryError: the server could not be reached, refused the login, the sender or the recipient.
    """
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    for name, data in attachments.items():
        maintype, subtype = DOCX_TYPE if name.endswith(".docx") else ("text", "plain")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    server = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, _password(settings))
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        raise DeliveryError(f"邮件服务器 {server} 拒收收件人 {to}：{code} {_reply(reply)}", lasting=code >= 500) from None
    except smtplib.SMTPAuthenticationError as error:
        raise DeliveryError(f"邮件服务器 {server} 拒绝登录（用户 {settings.user}）：{error.smtp_code}，"
                            "请检查 JIXIAO_SMTP_USER 和密码", lasting=True) from None
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(f"邮件服务器 {server} 未接受发给 {to} 的邮件：{error.smtp_code} {_reply(error.smtp_error)}",
                            lasting=error.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise DeliveryError(f"无法连接邮件服务器 {server}（发给 {to}）：{reason}") from None


def _reply(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).strip()


def copy_to_folder(folder: Path, name: str, data: bytes) -> Path:
    """Put a file into a shared folder atomically (recipients never see half a file).

    Raises:
        DeliveryError: the folder cannot be created or written; no partial file is left.
    """
    target = folder / name
    if target.parent != folder:
        raise DeliveryError(f"文件名「{name}」不能含路径，未复制到 {folder}", lasting=True)
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".partial-", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise DeliveryError(f"无法复制到共享目录 {folder}：{error.strerror or error}") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
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
