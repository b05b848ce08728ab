"""What a benchmark figure was measured on: the CPU, its vector features and the load.

Printed beside every figure, because an indexing rate means nothing without the hardware (AMX
makes bf16 several times faster than fp32; without native bf16 it is slower) and a start-up
time means little on a machine busy with other work.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

# the features that decide which embedding path is fastest
FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16")


def cpu() -> dict[str, Any]:
    """Model name, cores and the FEATURES this CPU has (from /proc/cpuinfo where there is one)."""
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.exists() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    flags = {
        flag
        for line in lines
        if line.startswith("flags")
        for flag in line.partition(":")[2].split()
    }
    return {
        "cpu": names[0] if names else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "features": [name for name in FEATURES if name in flags],
    }


def describe(found: dict[str, Any]) -> str:
    features = " ".join(found["features"]) or "none of " + " ".join(FEATURES)
    return f"{found['cpu']}, {found['cores']} cores; {features}"


def load_average() -> float:
    return os.getloadavg()[0]
