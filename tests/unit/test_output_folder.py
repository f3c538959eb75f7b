"""Publishing a version: all or nothing, whatever the disk does."""


def test_a_full_disk_leaves_no_staging_folder_and_says_so_in_one_line(tmp_path, monkeypatch):
    import errno
    from pathlib import Path

    import pytest

    from flows.adapters import output_folder
    from flows.domain.errors import OutputError

    unit = tmp_path / "out" / "2024" / "312001"
    real_write = Path.write_bytes

    def full_after_one_file(path, data):
        if path.name == "workpaper.xlsx":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(Path, "write_bytes", full_after_one_file)
    with pytest.raises(OutputError) as failed:
        output_folder.publish_version(unit, "v1", {"report.docx": b"x", "workpaper.xlsx": b"y"}, {"fingerprint": "f"})
    assert "磁盘空间不足" in str(failed.value) and "\n" not in str(failed.value)
    assert sorted(p.name for p in unit.iterdir()) == [], "no staging folder, no version"
