"""`jixiao` command line. Parses arguments, calls one flow, maps outcomes to exit codes.

Exit codes:
  0  every requested report was produced (or was already up to date); warnings allowed
  1  anything else: an unexpected error, or a department whose processing failed while the
     others went on (details in the log file)
  2  unusable input or arguments (missing file or column, undecodable file)
  3  at least one department blocked by a critical data-quality failure (and none failed)
  4  the project's own configuration is unusable (config/, expectations/, templates/): not a
     problem of the user's data; the message names the configuration file

`review`, `approve` and `return` exit 0 when done, 2 when the decision cannot be taken (no such
unit or version, a version already decided or changed since, a return without a reason) and
1 when an approved report could not be sent to a recipient (retried by the next run).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from flows.settings import configure_prefect_environment, log_file, state_dir

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_BLOCKED, EXIT_CONFIG = 0, 1, 2, 3, 4


# argparse's own words (Python 3.11), as users of a Chinese finance office read them.
_ARGPARSE_ZH = {
    "usage: ": "用法：", "positional arguments": "命令与参数", "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值", "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}


def _speak_chinese() -> None:
    argparse._ = lambda text: _ARGPARSE_ZH.get(text, text)


class _ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on bad arguments, as we document
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"参数错误：{message}\n")

    def _check_value(self, action: argparse.Action, value: object) -> None:
        """An unknown command or choice says which ones exist and which one was probably meant."""
        if action.choices is not None and value not in action.choices:
            import difflib

            choices = [str(choice) for choice in action.choices]
            close = difflib.get_close_matches(str(value), choices, n=1)
            hint = f"；是否要输入 {close[0]}？" if close else ""
            raise argparse.ArgumentError(action, f"不认识「{value}」（可选：{'、'.join(choices)}）{hint}")
        super()._check_value(action, value)


def _fiscal_year(text: str) -> int:
    """A four-digit year: `--year 24` is a typing slip, not the year 24."""
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度「{text}」不是整数") from None
    if not 2000 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"年度「{text}」应为四位年份，如 2024")
    return year


def _data_folder_problem(data: Path, year: int) -> str | None:
    """Why `data` cannot hold the year's inputs, found before Prefect starts (it takes seconds)."""
    if not data.is_dir():
        return f"找不到数据目录 {data}"
    if not (data / str(year)).is_dir():
        years = sorted(p.name for p in data.iterdir() if p.is_dir() and p.name.isdigit())
        present = f"现有年度：{'、'.join(years)}" if years else "其中没有任何年度目录（应为 <数据目录>/<年度>/）"
        return f"数据目录 {data} 中没有 {year} 年度的数据（{year}/）；{present}"
    return None


def _parser() -> argparse.ArgumentParser:
    _speak_chinese()
    parser = _ChineseArgumentParser(prog="jixiao", description="部门整体支出绩效自评报告：账簿导出 → 数据质量校验 → 指标 → Word 报告")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_ChineseArgumentParser)
    for name, help_text in (
        ("run", "生成报告：读取账簿和指标，校验数据质量，计算指标，输出 out/<年度>/<单位编码>/v<N>/report.docx"),
        ("validate", "只做数据质量校验，不生成报告"),
        ("rerun", "数据更正后重新生成：服务器在运行时发送 jixiao.ledger.updated 事件，否则直接运行"),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--year", type=_fiscal_year, default=2024, help="会计年度（默认 2024）")
        command.add_argument("--data", default="data", help="数据目录，内含 <年度>/ledger、budget、profiles（默认 data）")
        command.add_argument("--out", default="out", help="输出目录（默认 out）；数据质量报告也写在这里")
        command.add_argument("--unit", action="append", default=[], metavar="CODE", help="只处理这些单位编码（可重复）")
        if name != "validate":
            command.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 report.pdf")
        command.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                             help="在该 Dask 集群上逐单位处理（默认：config/execution.yaml，未配置时用本机多进程）")
    serve = commands.add_parser("serve", help="按计划每年自动生成报告，并在数据更新事件到来时重新生成（Ctrl-C 停止）",
                                description="启动本地 Prefect 服务器（未设置 PREFECT_API_URL 时）并提供报告任务：按 config/schedule.yaml 的时间表运行，收到 jixiao.ledger.updated 事件时重新生成。")
    watch = commands.add_parser("watch", help="监视数据目录，导出文件变化时自动触发重新生成",
                                description="监视数据目录；账簿、指标或单位信息文件变化后（去抖），发送 jixiao.ledger.updated 事件或直接重新生成。")
    for command in (serve, watch):
        command.add_argument("--data", default="data", help="数据目录（默认 data）")
        command.add_argument("--out", default="out", help="输出目录（默认 out）")
    review = commands.add_parser("review", help="列出待审核的报告草稿（得分、等级、警告、变化）",
                                 description="列出各单位最新版本中状态为“草稿”的报告：自评得分、等级、数据质量警告、与上一版本相比变化的数据项数，以及所答复的退回意见。")
    approve = commands.add_parser("approve", help="审核通过一个单位的报告草稿，并发送给收件人",
                                  description="审核通过：记录审核人、时间、意见和所审文件的校验值，然后把报告发送给单位信息文件中的收件人。生成后被改动过的版本不能通过。")
    send_back = commands.add_parser("return", help="退回一个单位的报告草稿（须写明原因）",
                                    description="退回：记录审核人、时间和退回原因；该版本不发送。单位更正数据后重新运行，生成新的草稿。")
    for command in (review, approve, send_back):
        command.add_argument("--year", type=_fiscal_year, default=2024, help="会计年度（默认 2024）")
        command.add_argument("--out", default="out", help="输出目录（默认 out）")
    review.add_argument("--unit", action="append", default=[], metavar="CODE", help="只列出这些单位编码（可重复）")
    for command in (approve, send_back):
        command.add_argument("unit", metavar="单位编码", help="要审核的单位编码")
        command.add_argument("--version", metavar="vN", help="要审核的版本（默认最新版本）")
        command.add_argument("--by", required=True, metavar="姓名", help="审核人姓名")
    approve.add_argument("--comment", default="", metavar="意见", help="审核意见（可选）")
    approve.add_argument("--data", default="data", help="数据目录，用于读取收件人（默认 data）")
    send_back.add_argument("--comment", required=True, metavar="原因", help="退回原因，单位据此修改")
    formats = commands.add_parser("formats", help="列出支持的导出格式；给出文件时，说明它按哪种格式读取、各列如何对应（不写任何文件）",
                                  description="列出 config/export_formats.yaml 中声明的账簿和预算指标导出格式；给出文件时逐个说明匹配的格式和列的对应关系。")
    formats.add_argument("files", nargs="*", metavar="文件", help="要检查的导出文件（CSV / XLSX / XLS）")
    formats.add_argument("--year", type=int, default=2024, help="按该年度的配置检查（默认 2024）")
    return parser


def _say(text: str = "") -> None:
    print(text, flush=True)


def _configure_console_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    logger = logging.getLogger("jixiao")
    # The terminal gets the lines; a handler that sends them to the Prefect run stays.
    logger.handlers[:] = [h for h in logger.handlers if not isinstance(h, logging.StreamHandler)] + [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_prefect_environment()
    _configure_console_logging()
    if args.command == "formats":
        from flows.domain.errors import ConfigError
        from flows.formats import run_formats

        try:
            return run_formats(args.files, args.year)
        except ConfigError as error:
            print(error, file=sys.stderr)
            return EXIT_CONFIG
    if args.command in ("review", "approve", "return"):
        return _review_command(args)
    if getattr(args, "dask_address", None):
        # Read when the run picks its task runner (flows.annual_report.unit_task_runner).
        os.environ["JIXIAO_DASK_ADDRESS"] = args.dask_address
    if args.command in ("run", "validate", "rerun") and (problem := _data_folder_problem(Path(args.data), args.year)):
        print(f"输入数据无法使用：{problem}", file=sys.stderr)
        return EXIT_INPUT
    from flows.adapters.run_guard import guard_this_run

    # Whatever ends this process, the Prefect server and workers it starts end with it.
    guard_this_run(state_dir() / "scratch")
    year = f"{args.year} 年度，" if hasattr(args, "year") else ""
    _say(f"jixiao {args.command}：{year}数据目录 {args.data}")
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("已中断；已有的报告版本未受影响。", file=sys.stderr)
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    """Run one command; Ctrl-C propagates (so `watch` stops even in the middle of a run)."""
    from flows.domain.errors import ConfigError

    started = time.monotonic()
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "watch":
            return _watch(args)
        if args.command == "rerun" and _emit_if_served(args.year, args.unit, args.pdf):
            return EXIT_OK
        outcomes = None
        if args.command in ("run", "rerun"):
            from flows.up_to_date import settled_outcomes

            # Nothing to produce or send: the same lines in about a second, without starting Prefect.
            outcomes = settled_outcomes(Path(args.data), Path(args.out), args.year, args.unit or None)
        if outcomes is None:
            with _recording_server():
                # Imported here: Prefect reads its settings at import time (see flows.settings).
                from flows.annual_report import annual_report, quality_gate
                from flows.domain.errors import InputError

                try:
                    if args.command in ("run", "rerun"):
                        outcomes = annual_report(year=args.year, data_dir=args.data, out_dir=args.out,
                                                 units=args.unit or None, pdf=args.pdf)
                    else:
                        outcomes = quality_gate(year=args.year, data_dir=args.data, out_dir=args.out,
                                                units=args.unit or None)
                except InputError as error:
                    print(f"输入数据无法使用：{error}", file=sys.stderr)
                    return EXIT_INPUT
    except ConfigError as error:   # also from serve/watch/rerun reading config/schedule.yaml
        print(f"{error}\n请联系系统维护人员检查项目配置。", file=sys.stderr)
        return EXIT_CONFIG
    except Exception as error:  # noqa: BLE001 - the one place that turns any failure into exit 1
        print(f"运行失败：{type(error).__name__}: {error}\n详细日志：{log_file()}", file=sys.stderr)
        return EXIT_ERROR
    from flows.adapters.catalog import year_out_folder

    return _report(outcomes, time.monotonic() - started, year_out_folder(Path(args.out), args.year))


def _review_command(args: argparse.Namespace) -> int:
    """review / approve / return: no Prefect needed, answers in a second."""
    from flows import review_desk
    from flows.domain.errors import OutputError
    from flows.domain.review import APPROVED, RETURNED, ReviewError

    out = Path(args.out)
    try:
        if args.command == "review":
            drafts = review_desk.awaiting_review(out, args.year, args.unit or None)
            if not drafts:
                _say(f"{args.year} 年度没有待审核的报告草稿（输出目录 {out}）")
            for d in drafts:
                _say(f"• {d.unit_code} {d.unit_name} {d.version.name}：自评得分 {d.score} 分，评价等级 {d.grade}；"
                     f"警告 {d.warnings} 项；与上一版本相比变化 {d.changes} 项数据")
                _say(f"    审阅稿：{d.version}/审阅稿.docx　数据质量报告：{d.version}/quality.html")
                if d.answers_return:
                    _say(f"    答复 {d.answers_return}")
            return EXIT_OK
        folder = review_desk.version_folder(out, args.year, args.unit, args.version)
        decision = APPROVED if args.command == "approve" else RETURNED
        decided = review_desk.record_decision(folder, decision, args.by, args.comment)
    except ReviewError as error:
        print(f"无法审核：{error}", file=sys.stderr)
        return EXIT_INPUT
    except OutputError as error:
        print(f"无法记录审核结果：{error}", file=sys.stderr)
        return EXIT_ERROR
    name = decided.get("unit_name", args.unit)
    if decision == RETURNED:
        _say(f"已退回 {args.unit} {name} {folder.name}（审核人 {args.by}）：{args.comment}")
        _say("    该版本不发送；单位更正数据后重新运行，将生成新的草稿。")
        return EXIT_OK
    _say(f"已审核通过 {args.unit} {name} {folder.name}（审核人 {args.by}）")
    said = review_desk.deliver_approved(folder, Path(args.data), args.year, args.unit)
    for line in said or ("单位信息文件未写收件人，未发送",):
        target = sys.stderr if line.startswith("发送失败") else sys.stdout
        print(f"    {'✗ ' if target is sys.stderr else ''}{line}", file=target, flush=True)
    return EXIT_ERROR if any(line.startswith("发送失败") for line in said) else EXIT_OK


@contextmanager
def _recording_server() -> Iterator[None]:
    """The Prefect API the run records itself on: PREFECT_API_URL, else the local server
    `jixiao serve` left running, else a temporary server of this run that boots while the flow's
    code is imported (flows.adapters.prefect_server.TemporaryServer) and stops with the run.
    Should it not come up, Prefect starts its own temporary server as it always did."""
    if os.environ.get("PREFECT_API_URL") or _use_running_local_server():
        yield
        return
    from flows.adapters.prefect_server import TemporaryServer

    server = TemporaryServer(log_file().with_name("temporary-server.log"))
    try:
        # What the run would load anyway, loaded while the server boots on the other CPU.
        from prefect.settings import PREFECT_API_URL, temporary_settings

        import flows.annual_report  # noqa: F401
        from flows.adapters import quality_gx

        quality_gx.preload()
        if server.ready():
            with temporary_settings({PREFECT_API_URL: server.url}):
                try:
                    yield
                finally:
                    _drain_to_api()
        else:
            yield
    finally:
        server.stop()


def _drain_to_api() -> None:
    """Send the log lines and events Prefect still holds while the server that takes them
    answers: stopped first, they would fail at exit ("Error logging to API")."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=10, at_exit=False)


def _use_running_local_server() -> bool:
    """Record the run on the local Prefect server that `jixiao serve` (or the user) left running,
    when PREFECT_API_URL is unset and it answers: no temporary server to start, and the run is
    seen in that server's UI."""
    from flows.adapters.prefect_server import api_url, is_healthy
    from flows.adapters.project_files import load_schedule
    from flows.domain.errors import ConfigError

    try:
        url = api_url(load_schedule())
    except ConfigError:
        return False             # a run never needed config/schedule.yaml; serve and rerun say what is wrong
    if not is_healthy(url, timeout=1.0):
        return False
    os.environ["PREFECT_API_URL"] = url
    _say(f"运行记录写入正在运行的本地 Prefect 服务器（界面 {url.removesuffix('/api')}）")
    return True


# How long `rerun` waits for the served deployment to start a run for its event.
EVENT_CONFIRM_SECONDS = 30


def _emit_if_served(year: int, units: list[str], pdf: bool = False) -> bool:
    """Send the rerun event when a Prefect server is reachable and confirm a run started for it;
    False means: run here instead (no server, or nobody acted on the event)."""
    from flows.adapters.prefect_server import api_url, emit_ledger_updated, is_healthy, run_started_since
    from flows.adapters.project_files import load_schedule

    schedule = load_schedule()
    url = api_url(schedule)
    if not is_healthy(url):
        _say("未发现正在运行的 Prefect 服务器，直接重新生成。")
        os.environ.pop("PREFECT_API_URL", None)   # use the temporary local server instead of a dead one
        return False
    os.environ["PREFECT_API_URL"] = url
    sent_at = emit_ledger_updated(schedule.event, year, units, pdf)
    scope = f"{year} 年度{'，单位 ' + '、'.join(units) if units else '，全部单位'}{'，含 PDF' if pdf else ''}"
    run = run_started_since(sent_at, EVENT_CONFIRM_SECONDS)
    if run is None:
        _say(f"已向 {url} 发送 {schedule.event} 事件（{scope}），但 {EVENT_CONFIRM_SECONDS} 秒内服务器没有开始运行"
             "（报告任务未在服务或触发器未启用）；改为直接重新生成。")
        os.environ.pop("PREFECT_API_URL", None)
        return False
    _say(f"已向 {url} 发送 {schedule.event} 事件（{scope}）；服务器已开始运行 {run}，将重新生成有变化的单位。")
    return True


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _serve(args) -> int:
    from flows.adapters.prefect_server import api_url, is_healthy, start_local_server, stop_server
    from flows.adapters.project_files import load_schedule

    schedule = load_schedule()
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        url = api_url(schedule)
        if not is_healthy(url):
            _say(f"正在启动本地 Prefect 服务器 {url} …")
            server = start_local_server(schedule, state_dir() / "prefect-server.log")
        os.environ["PREFECT_API_URL"] = url
    from flows.serve import serve_annual_report

    # A service manager stops us with SIGTERM: clean up as on Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)

    def ready() -> None:
        _say(f"报告任务已就绪：按“{schedule.cron}”（{schedule.timezone}）每年运行；收到 {schedule.event} 事件时重新生成。"
             f"界面：{os.environ['PREFECT_API_URL'].removesuffix('/api')}　按 Ctrl-C 停止。")

    try:
        serve_annual_report(Path(args.data).resolve(), Path(args.out).resolve(), schedule, ready)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            stop_server(server)
    _say("已停止；事件触发器已删除。")
    return EXIT_OK


def _watch(args) -> int:
    from flows.watch import watch_exports

    _say(f"正在监视 {args.data}（按 Ctrl-C 停止）…")
    try:
        for year, units in watch_exports(Path(args.data)):
            _say(f"检测到 {year} 年度数据变化：{'、'.join(units) if units else '全部单位'}")
            if not _emit_if_served(year, units):
                run = _parser().parse_args(["run", "--year", str(year), "--data", args.data, "--out", args.out,
                                            *[arg for unit in units for arg in ("--unit", unit)]])
                _say(f"重新生成结束（退出码 {_dispatch(run)}）")
    except KeyboardInterrupt:
        _say("已停止监视。")
    return EXIT_OK


# Above this many units the terminal gets a summary and the problems; every unit's line
# goes to the run summary file instead.
LIST_EACH_UNIT_UP_TO = 20


def _report(outcomes, seconds: float, year_folder: Path) -> int:
    counts = {status: sum(o.status == status for o in outcomes) for status in ("produced", "unchanged", "passed", "blocked", "failed")}
    listed = len(outcomes) <= LIST_EACH_UNIT_UP_TO
    for outcome in outcomes:
        if listed or outcome.status in ("blocked", "failed"):
            _report_unit(outcome)
    if len(outcomes) > 1:
        _say(f"共 {len(outcomes)} 个单位：生成 {counts['produced']}，未变化 {counts['unchanged']}，"
             + (f"校验通过 {counts['passed']}，" if counts["passed"] else "")
             + f"受阻 {counts['blocked']}，失败 {counts['failed']}")
        summary = _write_summary(outcomes, year_folder)
        _say(f"逐单位结果：{summary}")
    undelivered = sum(o.delivery_failed for o in outcomes)
    if undelivered:
        print(f"有 {undelivered} 个单位的报告已生成但发送失败；失败原因已记入该版本的 deliveries.json，下次运行时自动重试",
              file=sys.stderr)
    _say(f"用时 {seconds:.1f} 秒")
    if counts["failed"]:
        print(f"详细日志：{log_file()}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_BLOCKED if counts["blocked"] else EXIT_OK


def _report_unit(outcome) -> None:
    if outcome.status == "produced":
        _say(f"✓ {outcome.unit_code} {outcome.name}：已生成 {outcome.folder}/report.docx")
        for line in _version_summary(Path(outcome.folder)):
            _say(f"    {line}")
    elif outcome.status == "unchanged":
        _say(f"= {outcome.unit_code} {outcome.name}：报告内容未变化，沿用 {outcome.folder}，未生成新版本")
    elif outcome.status == "passed":
        _say(f"✓ {outcome.unit_code} {outcome.name}：数据质量校验通过（无严重问题），报告 {outcome.folder}/quality.html")
    if outcome.status in ("produced", "unchanged"):
        for line in outcome.details:
            if outcome.delivery_failed and line.startswith("发送失败"):
                print(f"    ✗ {line}", file=sys.stderr)
            else:
                _say(f"    {line}")
    if outcome.status == "blocked":
        print(f"✗ {outcome.unit_code} {outcome.name}：数据质量存在严重问题，未生成报告，原有版本保持不变", file=sys.stderr)
        print(f"    数据质量报告：{outcome.folder}/quality.html", file=sys.stderr)
    if outcome.status == "failed":
        print(f"✗ {outcome.unit_code} {outcome.name}：处理失败，未生成报告，原有版本保持不变，其他单位不受影响", file=sys.stderr)
    if outcome.status in ("blocked", "failed"):
        for line in outcome.details:
            print(f"    {line}", file=sys.stderr)


def _version_summary(version: Path) -> list[str]:
    """Score and grade, warnings, what changed since the last version, and every file written."""
    import json

    manifest_path = version / "manifest.json"
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    lines = []
    evaluation = manifest.get("evaluation") or {}
    if evaluation:
        lines.append(f"自评得分 {evaluation.get('total', '—')} 分，评价等级：{evaluation.get('grade', '—')}")
    warnings = manifest.get("quality", {}).get("warnings", [])
    if warnings:
        lines.append("数据质量警告：" + "；".join(f"{w['rule_id']} {w['message']}（{w['count']}处）" for w in warnings))
    revision = manifest.get("revision")
    if revision:
        from flows.domain.revision import change_summary

        lines.append(change_summary(revision))
    review = manifest.get("review") or {}
    if review.get("state") == "草稿":
        lines.append(f"审核状态：草稿，待审核通过后发送（jixiao approve {manifest.get('unit_code', '')} --by 审核人；"
                     f"审阅稿.docx 标出了系统起草的内容）")
    files = sorted(p.name for p in version.iterdir() if p.is_file() or p.is_dir())
    lines.append("输出文件：" + "、".join(files))
    return lines


def _write_summary(outcomes, folder: Path) -> Path:
    """run-summary.csv beside the units' folders: one line per unit, for the finance office's follow-up."""
    import csv
    import datetime as dt

    from flows.adapters.quality_report import csv_safe_text

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-summary-{dt.datetime.now():%Y%m%dT%H%M%S}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["单位编码", "单位名称", "结果", "输出目录", "说明"])
        labels = {"produced": "已生成", "unchanged": "未变化", "passed": "校验通过", "blocked": "受阻（严重数据问题）", "failed": "失败"}
        for o in outcomes:
            label = labels.get(o.status, o.status) + ("、发送失败" if o.delivery_failed else "")
            writer.writerow([csv_safe_text(cell) for cell in (o.unit_code, o.name, label, o.folder, "；".join(o.details))])
    return path


if __name__ == "__main__":
    sys.exit(main())
