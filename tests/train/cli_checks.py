"""What the CLI tests of tests/train share: running braincam and collecting failures."""
import subprocess

failures = []


def run(*args):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True)


def expect(what, result, ok, text):
    output = result.stdout + result.stderr
    if (result.returncode == 0) != ok or text not in output:
        failures.append(f"{what}: exit {result.returncode}, wanted '{text}' in:\n{output}")


def check(what, condition):
    if not condition:
        failures.append(what)
