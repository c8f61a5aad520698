"""Handed-in files are checked before anything reads them: ids, links, pipes, sizes, JSON depth, zip bombs."""
from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from course.grading.pipeline.submission_files import (
    UnsafeArchive,
    read_json,
    scan_folder,
    unpack_zip,
    valid_student_id,
)


@pytest.mark.parametrize("name", ["s0001", "jane-smith", "ada.lovelace", "Bob_2", "x"])
def test_ordinary_ids_are_valid(name):
    assert valid_student_id(name)


@pytest.mark.parametrize("name", ["*", "..", ".", "", "=HYPERLINK(1)", "-rf", "a/b", "a b", "x" * 65, "@home",
                                  "ali\x1bce", "s?", "[ab]"])
def test_ids_that_could_match_others_or_run_formulas_are_refused(name):
    """An id like '*' would make nbgrader grade every student; '=..' is a spreadsheet formula."""
    assert not valid_student_id(name)


def test_links_pipes_and_oversized_files_are_reported_not_followed(tmp_path):
    outside = tmp_path / "solution.ipynb"
    outside.write_text('{"secret": 1}')
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "roles.ipynb").write_text("{}")
    (folder / "link.ipynb").symlink_to(outside)
    (folder / "linked-folder").symlink_to(tmp_path)
    os.mkfifo(folder / "pm-course-answers.json")
    (folder / "big.bin").write_bytes(b"x" * 2000)
    scan = scan_folder(folder, max_file_bytes=1000)
    assert set(scan.files) == {"roles.ipynb"}
    problems = " | ".join(scan.problems)
    assert "link.ipynb is a symbolic link" in problems and "linked-folder is a symbolic link" in problems
    assert "pm-course-answers.json is a named pipe" in problems and "big.bin is 0 MB, over" in problems


def test_a_deep_folder_tree_is_bounded(tmp_path):
    deep = tmp_path / "submission"
    (deep / "/".join(["d"] * 20)).mkdir(parents=True)
    scan = scan_folder(deep, max_depth=8)
    assert any("nested more than 8 folders deep" in problem for problem in scan.problems)


def test_reading_json_never_blocks_on_a_pipe_nor_recurses_without_bound(tmp_path):
    pipe = tmp_path / "answers.json"
    os.mkfifo(pipe)
    started = time.monotonic()
    content, problem = read_json(pipe)
    assert content is None and "named pipe" in problem and time.monotonic() - started < 1
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert "levels deep" in read_json(deep)[1]
    moderately_deep = tmp_path / "moderate.json"
    moderately_deep.write_text("[" * 200 + "]" * 200)
    assert "levels deep" in read_json(moderately_deep, max_depth=64)[1]
    (tmp_path / "ok.json").write_text('{"answers": {"w": {"q1": "a"}}}')
    assert read_json(tmp_path / "ok.json") == ({"answers": {"w": {"q1": "a"}}}, None)
    (tmp_path / "latin1.json").write_bytes(b'{"a": "\xe9"}')
    assert read_json(tmp_path / "latin1.json")[1] == "is not a text file"


def _zip(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, target)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path):
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip({"roles.ipynb": b"\0" * 50_000_000}))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        unpack_zip(bomb, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))


def test_declared_sizes_and_member_counts_are_bounded(tmp_path):
    many = tmp_path / "many.zip"
    many.write_bytes(_zip({f"f{index}.txt": b"x" for index in range(30)}))
    with pytest.raises(UnsafeArchive, match="more than the 20 allowed"):
        unpack_zip(many, tmp_path / "out", max_members=20)
    large = tmp_path / "large.zip"
    large.write_bytes(_zip({"a.txt": b"a" * 5000}))
    with pytest.raises(UnsafeArchive, match="would unpack to"):
        unpack_zip(large, tmp_path / "out2", max_bytes=4000)


def test_zip_members_never_leave_the_folder_nor_become_links(tmp_path):
    archive = tmp_path / "student.zip"
    archive.write_bytes(_zip({"roles.ipynb": b"{}", "../../escape.txt": b"x", "/etc/abs.txt": b"x",
                              "ok/inner.txt": b"y"}, links={"solution.ipynb": "/work/solutions/a1/roles.ipynb"}))
    unpacked = unpack_zip(archive, tmp_path / "out")
    written = sorted(path.relative_to(tmp_path / "out").as_posix() for path in unpacked.files)
    assert written == ["ok/inner.txt", "roles.ipynb"]
    assert not (tmp_path / "escape.txt").exists() and not Path("/etc/abs.txt").exists()
    skipped = " | ".join(unpacked.skipped)
    assert "escape.txt points outside" in skipped and "solution.ipynb is a symbolic link" in skipped
    assert not any(path.is_symlink() for path in (tmp_path / "out").rglob("*"))


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    fake = tmp_path / "fake.zip"
    fake.write_text("not a zip")
    with pytest.raises(UnsafeArchive, match="not a readable zip"):
        unpack_zip(fake, tmp_path / "out")
