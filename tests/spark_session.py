"""The one local Spark session the SQL tests share (a session takes seconds to start)."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def spark() -> Any:
    """A local, single-core Spark session with ANSI mode on (overflow is an error, not NULL)."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - only where Java runs

    return (
        SparkSession.builder.master("local[1]")
        .appName("conserv-rubric-sql")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
