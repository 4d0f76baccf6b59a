"""File safety: one writer per output, `fwkit run` checks every stage before
any runs, reuses a result only when its checksum is the recorded one, holds
its results folder alone and passes a signal on to the stage it runs; a
write the file system refuses is exit 73 with the file and the reason."""
import resource
import signal
import subprocess
import time

LONG = """[model.system]
kind = "double_well_1d"
[simulate]
step = 0.01
steps = 20000000
members = 100
x0 = [0.5]
"""

EXPERIMENT = """[experiment]
name = "safety"
plots = false
[model.system]
kind = "maier_stein"
[stages.a]
command = "analyze"
lower = [-2.0, -2.0]
upper = [2.0, 2.0]
starts = 16
[stages.b]
command = "ode"
x0 = [0.5, 0.5]
t1 = 2.0
"""


def _wait_for(path, seconds=20):
    end = time.time() + seconds
    while time.time() < end and not path.exists():
        time.sleep(0.05)
    assert path.exists(), f"{path} never appeared"


def test_a_second_writer_of_one_output_is_refused_with_the_holder(fwkit_bin, tmp_path):
    (tmp_path / "s.toml").write_text(LONG)
    first = subprocess.Popen([fwkit_bin, "simulate", "-c", "s.toml", "-o", "s.h5", "-q"], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(tmp_path / "s.h5.lock")
        second = subprocess.run([fwkit_bin, "simulate", "-c", "s.toml", "-o", "s.h5", "-q"], cwd=tmp_path,
                                capture_output=True, text=True)
        assert second.returncode == 75, second.stderr
        assert f"pid {first.pid}" in second.stderr and "s.h5" in second.stderr
    finally:
        first.kill()
        first.wait()
    # The kernel released the dead holder's lock: the next run takes it over.
    run = subprocess.run([fwkit_bin, "simulate", "-c", "s.toml", "-o", "s.h5", "-q", "--resume",
                          "--set", "simulate.steps=2000"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode != 75, run.stderr


def test_run_checks_every_stage_before_any_runs_and_dry_run_checks_the_same(fwkit_bin, tmp_path):
    (tmp_path / "e.toml").write_text(EXPERIMENT + "tmax = 3.0\n")
    for extra in (["--dry-run"], []):
        run = subprocess.run([fwkit_bin, "run", "e.toml", "-q", *extra], cwd=tmp_path, capture_output=True, text=True)
        assert run.returncode == 78, run.stderr
        assert "stage b (ode)" in run.stderr and "stages.b.tmax" in run.stderr and "e.toml line 15" in run.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]  # stage a did not run
    run = subprocess.run([fwkit_bin, "run", "e.toml", "-q", "--dry-run", "--set", "stages.a.starts=-3"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 78 and "stages.a.starts" in run.stderr, run.stderr


def test_run_reuses_a_result_only_if_its_checksum_is_the_recorded_one(fwkit_bin, tmp_path):
    (tmp_path / "e.toml").write_text(EXPERIMENT)
    cmd = [fwkit_bin, "run", "e.toml", "-o", "res"]
    assert subprocess.run(cmd, cwd=tmp_path, capture_output=True).returncode == 0
    again = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert again.stdout.count("up to date, reused") == 2, again.stdout
    with open(tmp_path / "res" / "b.h5", "ab") as f:
        f.write(b"tampered")
    third = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert third.returncode == 0, third.stderr
    assert "b.h5 changed since stage b wrote it" in third.stderr
    assert third.stdout.count("up to date, reused") == 1, third.stdout


def test_a_signal_to_run_stops_its_stage_and_a_second_run_of_the_folder_is_refused(fwkit_bin, tmp_path):
    (tmp_path / "e.toml").write_text(EXPERIMENT + "[stages.s]\ncommand = \"simulate\"\nstep = 0.01\n"
                                     "steps = 20000000\nmembers = 100\nx0 = [-1.0, 0.0]\n")
    parent = subprocess.Popen([fwkit_bin, "run", "e.toml", "-o", "res", "-q"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(tmp_path / "res" / "s.h5.lock")
        second = subprocess.run([fwkit_bin, "run", "e.toml", "-o", "res", "-q"], cwd=tmp_path,
                                capture_output=True, text=True)
        assert second.returncode == 75 and f"pid {parent.pid}" in second.stderr, second.stderr
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=30)
    finally:
        parent.kill()
    assert parent.returncode == -signal.SIGTERM
    # The stage went with its parent: nothing holds its output any more.
    time.sleep(0.5)
    probe = subprocess.run(["fuser", str(tmp_path / "res" / "s.h5.lock")], capture_output=True)
    assert probe.returncode != 0, probe.stdout


def test_a_write_the_file_system_refuses_is_exit_73_with_the_file_and_the_reason(fwkit_bin, tmp_path):
    """A file-size limit (RLIMIT_FSIZE) stands in for a full disk: the write
    fails with EFBIG as it would with ENOSPC. It was an internal error (70),
    then a crash in HDF5's clean-up at exit."""
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

    (tmp_path / "c.toml").write_text('[model.system]\nkind = "maier_stein"\n'
                                     '[analyze]\nlower = [-2.0, -2.0]\nupper = [2.0, 2.0]\nstarts = 64\n')
    run = subprocess.run([fwkit_bin, "analyze", "-c", "c.toml", "-o", "out.h5", "-q"], cwd=tmp_path,
                         preexec_fn=small_files, capture_output=True, text=True)
    assert run.returncode == 73, run.stderr
    assert "cannot write out.h5.tmp-" in run.stderr and "File too large" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"], "the temporary and the lock are removed"
