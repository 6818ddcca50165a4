#!/usr/bin/env python3
"""run.py - benchmark runner for x86bt (python3, standard library only).

Runs every guest benchmark (build/<bench>.elf or .img) N times in each column:
x86bt with -jit on, x86bt with -jit off, qemu-system-i386 (TCG, -cpu pentium2)
and, for the "int" workload only, the native x86-64 build.  A run ends when
the guest prints BENCH-END on COM1; its time is the wall time from spawning
the emulator to seeing that marker.  The emulator is then given a moment to
leave through the debug-exit port before it is terminated.

The table shows medians; each emulator's start-up cost (median of the "empty"
benchmark) is subtracted; the checksums printed by the guests must agree across
columns.  The runner only reports: timing never makes it fail.

    python3 run.py --help
"""

import argparse
import datetime
import os
import platform
import pty
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCHES = ["empty", "int", "paged", "syscall", "ctxsw", "io", "smc"]
COLUMNS = ["x86bt-jit", "x86bt-nojit", "qemu", "native"]
COLUMN_TITLES = {
    "x86bt-jit": "x86bt -jit on",
    "x86bt-nojit": "x86bt -jit off",
    "qemu": "QEMU TCG",
    "native": "native x86-64",
}
# Benchmarks whose work is the native "int" workload (same checksum).
NATIVE_EQUIVALENT = {"empty": "empty", "int": "int", "paged": "int"}

END_MARKER = b"BENCH-END"
RESULT_RE = re.compile(rb"BENCH name=(\S+) iters=(\d+) result=0x([0-9a-fA-F]+)")
FAULT_RE = re.compile(rb"FAULT [^\r\n]*")
EXIT_GRACE_S = 3.0      # after BENCH-END: time to leave via the debug-exit port
TERM_GRACE_S = 10.0     # after SIGTERM (valgrind writes its output file then)

LINUX_NOT_AVAILABLE = "not yet available (no Linux image)"


class Run:
    """Outcome of one process run."""

    def __init__(self):
        self.ok = False
        self.seconds = None       # spawn -> BENCH-END marker (wall)
        self.cpu = None           # user+sys CPU seconds of the whole process
        self.checksum = None
        self.iters = None
        self.status = None        # exit status / signal description
        self.error = None
        self.host_insns = None    # perf stat instructions:u, when available
        self.output = b""


# ---------------------------------------------------------------------------
# Process handling
# ---------------------------------------------------------------------------

def _describe_status(status):
    if os.WIFEXITED(status):
        return "exit %d" % os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return "signal %d" % os.WTERMSIG(status)
    return "status %d" % status


def _exited(pid, timeout, drain):
    """Wait up to timeout for our child to exit, without reaping it (its
    zombie keeps the process-group id reserved); drain() keeps reading its
    output meanwhile so that it cannot block on a full terminal."""
    deadline = time.monotonic() + timeout
    while not _has_exited(pid):
        if time.monotonic() >= deadline:
            return False
        drain(0.02)
    return True


def _has_exited(pid):
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _stop(pid, drain):
    """Stop our child, the leader of its own process group: let it exit,
    else SIGTERM, else SIGKILL; then kill what is left of its group (e.g.
    the emulator under a wrapper) and reap it.  Returns (status, rusage)."""
    if not _exited(pid, EXIT_GRACE_S, drain):
        _kill_group(pid, signal.SIGTERM)
        if not _exited(pid, TERM_GRACE_S, drain):
            _kill_group(pid, signal.SIGKILL)
            _exited(pid, 5.0, drain)
    _kill_group(pid, signal.SIGKILL)     # leader is a zombie: the group id is still ours
    try:
        _, status, ru = os.wait4(pid, 0)
    except ChildProcessError:
        return (0, None)
    return (status, ru)


VALGRIND_LINE_RE = re.compile(r"^==\d+==")


def _last_line(data, limit=160):
    """Last non-empty line of data that is not valgrind's own output."""
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines()
             if ln.strip() and not VALGRIND_LINE_RE.match(ln.strip())]
    return lines[-1][:limit] if lines else ""


def _stderr_tail(path, limit=160):
    try:
        with open(path, "rb") as f:
            return _last_line(f.read()[-4096:], limit)
    except OSError:
        return ""


def run_process(cmd, timeout, marker=END_MARKER, use_pty=True):
    """Run cmd, collect stdout until marker, measure, stop the process.

    stdout goes through a pseudo-terminal (so an emulator that uses stdio does
    not hold the marker in a full buffer); stderr goes to a temporary file."""
    r = Run()
    if not os.path.exists(cmd[0]) and shutil.which(cmd[0]) is None:
        r.error = "%s not found" % cmd[0]
        if os.path.basename(cmd[0]) == "x86bt":
            r.error += " (run `make` at the repository root)"
        return r
    err = tempfile.NamedTemporaryFile(prefix="bench-err-", delete=False)
    if use_pty:
        master, slave = pty.openpty()
    else:
        master, slave = os.pipe()
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave,
                                stderr=err, start_new_session=True)
    except OSError as e:
        os.close(master)
        os.close(slave)
        err.close()
        os.unlink(err.name)
        r.error = "cannot start %s: %s" % (cmd[0], e.strerror)
        return r
    os.close(slave)
    err.close()
    sel = selectors.DefaultSelector()
    sel.register(master, selectors.EVENT_READ)
    chunks = []
    eof = [False]

    def read_some(wait):
        """Read what arrives within `wait` seconds: bytes read, -1 at EOF."""
        if eof[0]:
            time.sleep(wait)
            return -1
        if not sel.select(wait):
            return 0
        try:
            chunk = os.read(master, 65536)
        except OSError:             # EIO: the pty slave was closed
            chunk = b""
        if not chunk:
            eof[0] = True
            return -1
        chunks.append(chunk)
        return len(chunk)

    deadline = t0 + timeout
    timed_out = False
    seen = b""
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            timed_out = True
            break
        got = read_some(min(left, 0.25))
        if got < 0:
            break
        if got > 0:
            seen = seen[-len(marker):] + chunks[-1]
            if marker in seen:
                r.seconds = time.perf_counter() - t0
                break
        elif _has_exited(proc.pid):
            break
    status, ru = _stop(proc.pid, read_some)
    while read_some(0) > 0:         # what is left (fault lines etc.)
        pass
    sel.close()
    os.close(master)
    proc.returncode = 0             # reaped by wait4 above; keep Popen quiet
    r.status = _describe_status(status)
    if ru is not None:
        r.cpu = ru.ru_utime + ru.ru_stime
    buf = b"".join(chunks)
    r.output = buf
    m = RESULT_RE.search(buf)
    if m:
        r.iters = int(m.group(2))
        r.checksum = "0x%08x" % int(m.group(3), 16)
    fault = FAULT_RE.search(buf)
    if fault:
        r.error = fault.group(0).decode("ascii", "replace").strip()
    elif timed_out:
        r.error = "timeout after %g s" % timeout
    elif r.seconds is None:
        tail = _stderr_tail(err.name) or _last_line(buf)
        r.error = "%s before %s%s" % (r.status or "ended",
                                       marker.decode("ascii", "replace"),
                                       (": " + tail) if tail else "")
    elif marker == END_MARKER and r.checksum is None:
        r.error = "no BENCH result line"
    else:
        r.ok = True
    os.unlink(err.name)
    return r


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

def guest_args(args, bench):
    if args.boot == "fda":
        return ["-fda", os.path.join(args.build, bench + ".img")]
    return ["-kernel", os.path.join(args.build, bench + ".elf")]


def resolve_qemu(name):
    """Debian's /usr/bin/qemu-system-i386 is a shell wrapper that execs
    /usr/libexec/qemu-system-i386; run the binary itself (valgrind would
    otherwise count the shell)."""
    path = shutil.which(name)
    if path is None:
        return name
    try:
        with open(path, "rb") as f:
            script = f.read(2) == b"#!"
    except OSError:
        return path
    real = os.path.join("/usr/libexec", os.path.basename(path))
    if script and os.access(real, os.X_OK):
        return real
    return path


def x86bt_cmd(args, jit, extra):
    """x86bt <x86bt-args> <guest> -jit on|off; x86bt-args default to
    "-m 64 -nographic -serial stdio -no-reboot" (BENCH_X86BT_ARGS)."""
    return [args.x86bt] + args.x86bt_args.split() + extra + ["-jit", "on" if jit else "off"]


def qemu_cmd(args, extra):
    cmd = [args.qemu, "-accel", "tcg", "-cpu", "pentium2", "-m", "64",
           "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-nic", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] + extra
    if args.boot == "fda":
        cmd += ["-boot", "a"]
    return cmd


def bench_cmd(args, column, bench):
    """Command for one benchmark in one column, or None if not applicable."""
    if column == "native":
        if bench == "empty":
            return [os.path.join(args.build, "int_native"), "0"]
        if bench == "int":
            return [os.path.join(args.build, "int_native"), str(args.iters_int)]
        return None
    extra = guest_args(args, bench)
    if column == "qemu":
        return qemu_cmd(args, extra)
    return x86bt_cmd(args, column == "x86bt-jit", extra)


# ---------------------------------------------------------------------------
# perf stat (optional host instruction counts)
# ---------------------------------------------------------------------------

def perf_usable():
    if shutil.which("perf") is None:
        return False
    try:
        p = subprocess.run(["perf", "stat", "-x,", "-e", "instructions:u", "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    first = p.stderr.decode("ascii", "replace").strip().split(",")[0]
    return first.isdigit()


def perf_wrap(cmd, out_path):
    return ["perf", "stat", "-x,", "-o", out_path, "-e", "instructions:u", "--"] + cmd


def perf_read(out_path):
    try:
        with open(out_path) as f:
            for line in f:
                fields = line.strip().split(",")
                if len(fields) > 2 and "instructions" in fields[2] and fields[0].isdigit():
                    return int(fields[0])
    except OSError:
        pass
    return None


# ---------------------------------------------------------------------------
# Measurement loop
# ---------------------------------------------------------------------------

def measure(args, benches, columns, use_perf, raw):
    """results[column][bench] = list of Run; failed[column] = reason."""
    results = {c: {b: [] for b in benches} for c in columns}
    failed = {}
    broken = {c: {} for c in columns}      # bench -> first error
    for bench in benches:
        for rep in range(args.n):
            for col in columns:
                if col in failed or bench in broken[col]:
                    continue
                if col == "native" and bench == "paged":
                    continue
                cmd = bench_cmd(args, col, bench)
                if cmd is None:
                    continue
                perf_out = None
                if use_perf:
                    fd, perf_out = tempfile.mkstemp(prefix="bench-perf-")
                    os.close(fd)
                    cmd = perf_wrap(cmd, perf_out)
                r = run_process(cmd, args.timeout, use_pty=(col != "native"))
                if perf_out:
                    r.host_insns = perf_read(perf_out)
                    os.unlink(perf_out)
                results[col][bench].append(r)
                note = ("%.3f s" % r.seconds) if r.ok else ("FAILED: " + str(r.error))
                print("  %-8s %-12s run %d/%d  %s%s" % (
                    bench, col, rep + 1, args.n, note,
                    ("  " + r.checksum) if r.checksum else ""), flush=True)
                raw.write("%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n" % (
                    bench, col, rep + 1, "ok" if r.ok else "fail",
                    "" if r.seconds is None else "%.6f" % r.seconds,
                    "" if r.cpu is None else "%.6f" % r.cpu,
                    r.checksum or "", r.host_insns or "", r.error or ""))
                if not r.ok:
                    broken[col][bench] = r.error
                    if bench == "empty" and col != "native":
                        failed[col] = r.error
    return results, failed, broken


def median_of(runs, attr="seconds"):
    """Median of attr over the good runs; attr "<name>_min": their minimum."""
    pick = statistics.median
    if attr.endswith("_min"):
        attr, pick = attr[:-4], min
    vals = [getattr(r, attr) for r in runs if r.ok and getattr(r, attr) is not None]
    return pick(vals) if vals else None


def net_time(results, col, bench, attr="seconds"):
    """Median time minus the median of the same column's empty benchmark."""
    runs = results.get(col, {}).get(bench)
    if not runs:
        return None
    t = median_of(runs, attr)
    if t is None:
        return None
    if bench == "empty":
        return t
    e = median_of(results[col].get("empty", []), attr)
    return None if e is None else t - e


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def column_error(col, failed, broken, bench, short=False):
    """Text for a cell without a result: "n/a (x86bt failed: reason)"."""
    if col in failed:
        reason = failed[col]
        short = short or bench != "empty"
    else:
        reason = broken.get(col, {}).get(bench)
    if reason is None:
        return None
    who = "x86bt" if col.startswith("x86bt") else col
    reason = reason.replace("|", "\\|")
    if short:
        return "n/a (%s failed)" % who
    return "n/a (%s failed: %s)" % (who, reason)


def failure_notes(columns, failed, broken):
    out = []
    for col in columns:
        if col in failed:
            out.append("- %s: %s (on `empty`; the column was skipped)" % (
                COLUMN_TITLES[col], failed[col]))
            continue
        for bench, reason in broken.get(col, {}).items():
            out.append("- %s, `%s`: %s" % (COLUMN_TITLES[col], bench, reason))
    return out


def fmt_s(v):
    if v is None:
        return "—"
    if v <= 0:
        return "≤0 (noise)"     # the bench's median is below the empty median
    return "%.3f" % v


def fmt_ratio(a, b):
    if a is None or b is None or a <= 0 or b <= 0:
        return "—"
    return "%.2f" % (a / b)


def checksum_report(results, benches, columns):
    """Per bench: the checksum if all columns agree, else a MISMATCH text."""
    out = {}
    bad = 0
    native_int = set(r.checksum for r in results.get("native", {}).get("int", []) if r.ok)
    for bench in benches:
        seen = {}
        for col in columns:
            if col == "native" and bench == "empty":
                continue            # "int_native 0" is not the empty guest
            for r in results[col].get(bench, []):
                if r.ok:
                    seen.setdefault(r.checksum, set()).add(col)
        if bench == "paged":
            for c in native_int:
                seen.setdefault(c, set()).add("native")
        if not seen:
            out[bench] = "—"
        elif len(seen) == 1:
            out[bench] = "`%s` ok (%d column%s)" % (
                next(iter(seen)), len(next(iter(seen.values()))),
                "" if len(next(iter(seen.values()))) == 1 else "s")
        else:
            bad += 1
            out[bench] = "**MISMATCH** " + ", ".join(
                "%s: `%s`" % ("/".join(sorted(cols)), c) for c, cols in sorted(seen.items()))
    return out, bad


def host_info(args):
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    qver = "not installed"
    if shutil.which(args.qemu):
        try:
            p = subprocess.run([args.qemu, "--version"], capture_output=True, timeout=20)
            qver = p.stdout.decode().splitlines()[0].strip()
        except (OSError, subprocess.TimeoutExpired, IndexError):
            qver = "?"
    load = "%.2f %.2f %.2f" % os.getloadavg()
    return cpu, qver, load


def cell(results, col, bench, args, failed, broken, attr="seconds", short=False):
    if col == "native" and bench == "paged":
        v = net_time(results, col, "int", attr)
        return "(%s = int)" % fmt_s(v) if v is not None else "—"
    if bench_cmd(args, col, bench) is None:
        return "—"
    err = column_error(col, failed, broken, bench, short)
    v = net_time(results, col, bench, attr)
    if v is None:
        return err or "—"
    return fmt_s(v)


def native_ref(results, bench, attr="seconds"):
    if bench not in ("int", "paged"):
        return None
    return net_time(results, "native", "int", attr)


def ratio_table(results, benches, columns, attr):
    have = [c for c in ("x86bt-jit", "x86bt-nojit") if c in columns]
    rcols = ["%s/native" % c for c in have]
    if "qemu" in columns:
        rcols.append("qemu/native")
        rcols += ["QEMU/%s" % c for c in have]
    out = ["| bench | " + " | ".join(rcols) + " |", "|" + "---|" * (len(rcols) + 1)]
    for b in benches:
        if b == "empty":
            continue
        nat = native_ref(results, b, attr)
        q = net_time(results, "qemu", b, attr) if "qemu" in columns else None
        row = ["`%s`" % b]
        row += [fmt_ratio(net_time(results, c, b, attr), nat) for c in have]
        if "qemu" in columns:
            row.append(fmt_ratio(q, nat))
            row += [fmt_ratio(q, net_time(results, c, b, attr)) for c in have]
        out.append("| " + " | ".join(row) + " |")
    return out


def render(args, benches, columns, results, failed, broken, use_perf, linux_rows):
    cpu, qver, load = host_info(args)
    busy = os.getloadavg()[0] > (os.cpu_count() or 1) or args.load_start > (os.cpu_count() or 1)
    sums, bad = checksum_report(results, benches, columns)
    iters = {}
    for b in benches:
        for col in columns:
            for r in results[col].get(b, []):
                if r.ok and r.iters is not None:
                    iters.setdefault(b, r.iters)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = []
    L.append("# x86bt benchmark results")
    L.append("")
    L.append("Generated by `make -C bench` (bench/run.py) on %s." % now)
    L.append("")
    L.append("- host: %s, %d CPUs, load average at the start %.2f, at the end %s" % (
        cpu, os.cpu_count() or 0, args.load_start, load))
    L.append("- QEMU: %s (`-accel tcg -cpu pentium2 -m 64`)" % qver)
    L.append("- x86bt: `%s %s <guest> -jit on|off`" % (args.x86bt, args.x86bt_args))
    L.append("- runs per cell: %d (median), boot: %s, timeout %g s, perf counters: %s" % (
        args.n, "multiboot -kernel" if args.boot == "kernel" else "floppy image via BIOS",
        args.timeout, "yes (instructions:u)" if use_perf else "no (perf-free mode)"))
    if busy:
        L.append("")
        L.append("**The host was busy (load average above the number of CPUs): wall times "
                 "are inflated and noisy; the CPU-time tables are more trustworthy.**")
    L.append("")
    L.append("## Time per benchmark (wall seconds, median, start-up subtracted)")
    L.append("")
    L.append("Each emulator's start-up cost is the median of its `empty` run (first row, not "
             "subtracted); every other row is median(bench) - median(empty) of the same column.")
    L.append("")
    hdr = "| bench | iters | " + " | ".join(COLUMN_TITLES[c] for c in columns) + " | checksum |"
    L.append(hdr)
    L.append("|" + "---|" * (len(columns) + 3))
    for b in benches:
        row = ["`%s`" % b, str(iters.get(b, "—"))]
        row += [cell(results, c, b, args, failed, broken) for c in columns]
        row.append(sums[b])
        L.append("| " + " | ".join(row) + " |")
    notes = failure_notes(columns, failed, broken)
    if notes:
        L.append("")
        L.append("Failures:")
        L.append("")
        L.extend(notes)
    L.append("")
    L.append("## Ratios (wall time)")
    L.append("")
    L.append("`x/native` = net time of x / net time of the native x86-64 `int` workload "
             "(only `int` and `paged` run the same work natively; lower is better, 1.00 = "
             "native speed).  `QEMU/x` = net QEMU time / net time of x (above 1: x is faster "
             "than QEMU).")
    L.append("")
    L.extend(ratio_table(results, benches, columns, "seconds"))
    L.append("")
    L.append("## CPU time (user+sys seconds, median, start-up subtracted)")
    L.append("")
    L.append("Less sensitive than wall time to other load on a shared host; includes the "
             "emulator's exit and all its threads.")
    L.append("")
    L.append("| bench | " + " | ".join(COLUMN_TITLES[c] for c in columns) + " |")
    L.append("|" + "---|" * (len(columns) + 1))
    for b in benches:
        row = ["`%s`" % b] + [cell(results, c, b, args, failed, broken, "cpu", True)
                              for c in columns]
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("## Ratios (CPU time)")
    L.append("")
    L.extend(ratio_table(results, benches, columns, "cpu"))
    L.append("")
    L.append("## Ratios (CPU time, fastest of the %d runs)" % args.n)
    L.append("")
    L.append("The same ratios from each cell's fastest run (start-up: the fastest `empty` "
             "run). Load from other tenants of a shared host only ever adds time, so the "
             "fastest run is the least disturbed one; the medians above show the spread.")
    L.append("")
    L.extend(ratio_table(results, benches, columns, "cpu_min"))
    if use_perf:
        L.append("")
        L.append("## Host instructions (perf stat instructions:u, millions, median, "
                 "start-up subtracted)")
        L.append("")
        L.append("| bench | " + " | ".join(COLUMN_TITLES[c] for c in columns) + " |")
        L.append("|" + "---|" * (len(columns) + 1))
        for b in benches:
            row = ["`%s`" % b]
            for c in columns:
                v = net_time(results, c, b, "host_insns")
                row.append("—" if v is None else "%.1f" % (v / 1e6))
            L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("## Linux boot to marker (seconds, median)")
    L.append("")
    L.append("<!-- LINUX-BOOT hook: run.py linux_boot(); runs when build/guests/vmlinuz "
             "(or BENCH_LINUX_KERNEL) exists -->")
    L.append("")
    L.append("Wall time from start to the guest's marker line on COM1 (start-up not "
             "subtracted); `QEMU/x86bt` above 1: x86bt boots faster.")
    L.append("")
    L.append("| guest | x86bt -jit on | QEMU TCG | QEMU/x86bt |")
    L.append("|---|---|---|---|")
    L.extend(linux_rows)
    if bad:
        L.append("")
        L.append("**%d benchmark(s) with disagreeing checksums: an emulator computed a wrong "
                 "result.**" % bad)
    L.append("")
    return "\n".join(L)


# ---------------------------------------------------------------------------
# Linux boot (hook)
# ---------------------------------------------------------------------------

def linux_boot(args):
    """LINUX-BOOT hook: boot a Linux guest to a console marker under x86bt
    (-jit on) and QEMU, N times each; one table row of medians.

    Reports "not yet available" while no Linux image exists (the guest images
    come from roms/guests/build-linux.sh: build/guests/vmlinuz + initrd.gz,
    whose /init prints X86BT-LINUX-READY).  Paths, command line and marker can
    be overridden with BENCH_LINUX_KERNEL, BENCH_LINUX_INITRD,
    BENCH_LINUX_APPEND and BENCH_LINUX_MARKER; BENCH_LINUX=off skips it."""
    if args.linux == "off":
        return ["| Linux | skipped (BENCH_LINUX=off) | skipped | — |"]
    kernel = args.linux_kernel
    if not kernel or not os.path.exists(kernel):
        return ["| Linux (`%s`) | %s | %s | — |" % (
            kernel, LINUX_NOT_AVAILABLE, LINUX_NOT_AVAILABLE)]
    initrd = args.linux_initrd if args.linux_initrd and os.path.exists(args.linux_initrd) else ""
    marker = args.linux_marker.encode()
    extra = ["-kernel", kernel, "-append", args.linux_append]
    if initrd:
        extra += ["-initrd", initrd]
    qargs = argparse.Namespace(**dict(vars(args), boot="kernel"))
    cells = {}
    for name, cmd in (("x86bt", x86bt_cmd(args, True, extra)), ("qemu", qemu_cmd(qargs, extra))):
        times = []
        reason = None
        for rep in range(args.n):
            r = run_process(cmd, args.linux_timeout, marker=marker)
            if r.seconds is None:
                reason = r.error or "marker not seen"
                break
            times.append(r.seconds)
            print("  linux    %-12s run %d/%d  %.3f s" % (name, rep + 1, args.n, r.seconds),
                  flush=True)
        cells[name] = statistics.median(times) if times else None
        if not times:
            cells[name + "_err"] = "n/a (%s failed: %s)" % (name, reason)
            print("  linux    %-12s FAILED: %s" % (name, reason), flush=True)
    title = os.path.basename(kernel) + (" + " + os.path.basename(initrd) if initrd else "")
    xs = fmt_s(cells["x86bt"]) if cells["x86bt"] is not None else cells["x86bt_err"]
    qs = fmt_s(cells["qemu"]) if cells["qemu"] is not None else cells["qemu_err"]
    return ["| %s, marker `%s` | %s | %s | %s |" % (
        title, marker.decode(), xs, qs, fmt_ratio(cells["qemu"], cells["x86bt"]))]


# ---------------------------------------------------------------------------
# callgrind mode
# ---------------------------------------------------------------------------

def callgrind_total(path):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def callgrind_mode(args, columns):
    """Host instruction counts (Ir) under valgrind --tool=callgrind: start-up
    (`empty`), `intcg` (the int workload with --iters-intcg iterations) and
    `syscall` (its --iters-syscall round trips, as in the timed runs: QEMU's
    start-up count scatters by hundreds of M Ir, so fewer would not do)."""
    works = [("int", "intcg", args.iters_intcg),
             ("syscall", "syscall", args.iters_syscall)]
    L = ["# x86bt callgrind instruction counts", "",
         "Generated by `make -C bench callgrind` on %s.  Host instructions (Ir) counted by "
         "`valgrind --tool=callgrind`; repeatable, unlike wall time.  `net/iter` = "
         "(Ir(workload, n iterations) - Ir(empty)) / n: `int` with n = %d (M Ir per "
         "iteration; `vs native` = x / native), `syscall` with n = %d (Ir per "
         "`int 0x80`/`iretd` round trip; `QEMU/x` = QEMU / x, above 1: x needs fewer "
         "host instructions)." % (
             datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             args.iters_intcg, args.iters_syscall), "",
         "| column | empty (M Ir) | int net/iter (M Ir) | int vs native | "
         "syscall net/iter (Ir) | syscall QEMU/x |",
         "|---|---|---|---|---|---|"]
    net = {}
    rows = {}
    timeout = max(args.timeout, 1800)
    for col in columns:
        counts = {}
        err = None
        for bench in ["empty"] + [w[1] for w in works]:
            if col == "native":
                if bench == "syscall":
                    continue
                cmd = [os.path.join(args.build, "int_native"),
                       "0" if bench == "empty" else str(args.iters_intcg)]
            else:
                extra = ["-kernel", os.path.join(args.build, bench + ".elf")]
                cmd = qemu_cmd(args, extra) if col == "qemu" else \
                    x86bt_cmd(args, col == "x86bt-jit", extra)
            if not os.path.exists(cmd[0]) and shutil.which(cmd[0]) is None:
                err = "%s not found" % cmd[0]
                break
            out = os.path.join(args.build, "callgrind.%s.%s.out" % (col, bench))
            if os.path.exists(out):
                os.unlink(out)
            vg = [args.valgrind, "--tool=callgrind", "--callgrind-out-file=" + out,
                  "--smc-check=all", "--dump-instr=no"] + cmd
            print("  callgrind %-12s %-9s ..." % (col, bench), flush=True)
            r = run_process(vg, timeout, use_pty=(col != "native"))
            counts[bench] = callgrind_total(out)
            if not r.ok or counts[bench] is None:
                err = r.error or "no callgrind output (process killed?)"
                break
        if err:
            who = "x86bt" if col.startswith("x86bt") else col
            rows[col] = "| %s | n/a (%s failed: %s) | | | | |" % (COLUMN_TITLES[col], who, err)
            continue
        for name, bench, n in works:
            if bench in counts:
                net[(col, name)] = (counts[bench] - counts["empty"]) / n
        rows[col] = counts
    for col in columns:
        if isinstance(rows[col], str):
            L.append(rows[col])
            continue
        i, s = net.get((col, "int")), net.get((col, "syscall"))
        L.append("| %s | %.1f | %s | %s | %s | %s |" % (
            COLUMN_TITLES[col], rows[col]["empty"] / 1e6,
            "—" if i is None else "%.2f" % (i / 1e6),
            fmt_ratio(i, net.get(("native", "int"))),
            "—" if s is None else "%.0f" % s,
            fmt_ratio(net.get(("qemu", "syscall")), s)))
    L.append("")
    return "\n".join(L)


# ---------------------------------------------------------------------------

def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(here, "build"))
    p.add_argument("--x86bt",
                   default=os.path.normpath(os.path.join(here, "..", "build", "x86bt")))
    p.add_argument("--qemu", default="qemu-system-i386")
    p.add_argument("--x86bt-args", default=os.environ.get(
        "BENCH_X86BT_ARGS", "-m 64 -nographic -serial stdio -no-reboot"))
    p.add_argument("--valgrind", default="valgrind")
    p.add_argument("--n", type=int, default=3, help="runs per cell")
    p.add_argument("--only", default="", help="comma-separated benchmarks")
    p.add_argument("--cols", default=",".join(COLUMNS), help="comma-separated columns")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    p.add_argument("--boot", choices=["kernel", "fda"], default="kernel")
    p.add_argument("--perf", choices=["auto", "on", "off"], default="auto")
    p.add_argument("--iters-int", type=int, default=400)
    p.add_argument("--iters-intcg", type=int, default=300)
    p.add_argument("--iters-syscall", type=int, default=1000000)
    p.add_argument("--callgrind", action="store_true")
    p.add_argument("--out", default=os.path.join(here, "results", "latest.md"))
    env = os.environ.get
    guests = os.path.normpath(os.path.join(here, "..", "build", "guests"))
    p.add_argument("--linux", choices=["auto", "off"], default=env("BENCH_LINUX", "auto"))
    p.add_argument("--linux-kernel",
                   default=env("BENCH_LINUX_KERNEL", os.path.join(guests, "vmlinuz")))
    p.add_argument("--linux-initrd",
                   default=env("BENCH_LINUX_INITRD", os.path.join(guests, "initrd.gz")))
    p.add_argument("--linux-append", default=env("BENCH_LINUX_APPEND", "console=ttyS0,115200"))
    p.add_argument("--linux-marker", default=env("BENCH_LINUX_MARKER", "X86BT-LINUX-READY"))
    p.add_argument("--linux-timeout", type=float,
                   default=float(env("BENCH_LINUX_TIMEOUT", "120")))
    a = p.parse_args(argv)
    a.n = max(1, a.n)
    a.qemu = resolve_qemu(a.qemu)
    a.load_start = os.getloadavg()[0]
    return a


def select(names, spec, allowed, what):
    if not spec.strip():
        return list(allowed)
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in allowed]
    if unknown:
        sys.exit("run.py: unknown %s %s (known: %s)" % (what, ",".join(unknown),
                                                       ",".join(allowed)))
    return [n for n in names if n in wanted]


def main(argv):
    args = parse_args(argv)
    columns = select(COLUMNS, args.cols, COLUMNS, "column")
    if args.callgrind:
        text = callgrind_mode(args, columns)
    else:
        benches = select(BENCHES, args.only, BENCHES, "benchmark")
        if "empty" not in benches:
            benches.insert(0, "empty")
        missing = [b for b in benches if not os.path.exists(
            os.path.join(args.build, b + (".img" if args.boot == "fda" else ".elf")))]
        if missing:
            sys.exit("run.py: guest images missing in %s (%s): run `make -C bench build`"
                     % (args.build, ",".join(missing)))
        use_perf = args.perf != "off" and perf_usable()
        if args.perf == "on" and not use_perf:
            print("run.py: perf stat cannot count instructions here: perf-free mode",
                  flush=True)
        raw_path = os.path.splitext(args.out)[0] + ".raw"
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(raw_path, "w") as raw:
            raw.write("bench\tcolumn\trun\tstatus\twall_s\tcpu_s\tchecksum\thost_insns\terror\n")
            results, failed, broken = measure(args, benches, columns, use_perf, raw)
        linux_rows = linux_boot(args)
        text = render(args, benches, columns, results, failed, broken, use_perf, linux_rows)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    print()
    print(text)
    print("written to %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
