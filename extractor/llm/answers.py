"""What the model is asked to fill: pydantic models instructor turns into the
tool (or JSON) schema and validates the answer against.

``TablesAnswer`` mirrors FORMAT.md's three tables with the report schema's own
models, so a valid answer is already canonical. ``GapAnswer`` is a flat list of
(path, value) pairs: the hybrid backend asks for a handful of cells by path.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..report import flatten
from ..schema import Active2019, Active2021, Applications, ReviewLitigation
from ..template import Template

#: Tables whose counts are never negative (table 二 of the 2019 template prints signed changes).
UNSIGNED = ("applications", "review_litigation")


def _no_negative_counts(values: dict[str, Any]) -> None:
    """A negative count in table 三 or 四 is a misreading: fail validation so the model is re-asked."""
    bad = [p for p, v in values.items() if p.startswith(UNSIGNED) and isinstance(v, int | float) and v < 0]
    if bad:
        raise ValueError(f"counts in tables 三 and 四 are never negative: {', '.join(bad[:5])}")


class TablesAnswer(BaseModel):
    """Tables 二, 三 and 四 of one report, numbers exactly as printed."""

    model_config = ConfigDict(extra="forbid")

    template: Template | None = Field(
        None,
        description="2021 when table 二 has 本年制发件数/本年处理决定数量 columns, "
        "2019 when it has 本年新制作数量/上一年项目数量 columns",
    )
    active: Active2021 | Active2019 | None = Field(None, description="table 二 主动公开政府信息情况; null if absent")
    applications: Applications | None = Field(
        None, description="table 三 收到和处理政府信息公开申请情况; null if absent"
    )
    review_litigation: ReviewLitigation | None = Field(
        None, description="table 四 行政复议、行政诉讼情况; null if absent"
    )

    @model_validator(mode="before")
    @classmethod
    def _active_by_template(cls, data: Any) -> Any:
        # Rows both templates share (行政许可 decisions) fit either model; the
        # stated template decides rather than the union's guess.
        if isinstance(data, dict) and isinstance(data.get("active"), dict):
            models: dict[str, type[Active2021] | type[Active2019]] = {"2021": Active2021, "2019": Active2019}
            model = models.get(data.get("template") or "")
            if model is not None:
                return {**data, "active": model.model_validate(data["active"], strict=True)}
        return data

    @model_validator(mode="after")
    def _unsigned(self) -> TablesAnswer:
        _no_negative_counts(flatten(self.model_dump(mode="json", include=set(UNSIGNED))))
        return self

    def template_read(self) -> Template | None:
        """The stated template, else the one whose table 二 columns the answer filled."""
        if self.template is not None or self.active is None:
            return self.template
        return "2019" if isinstance(self.active, Active2019) else "2021"


class GapValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="one of the requested paths, exactly as given")
    value: int | float | None = Field(description="the number printed in that cell; null if the cell is blank")


class GapAnswer(BaseModel):
    """The cells the parser could not read."""

    model_config = ConfigDict(extra="forbid")

    values: list[GapValue]

    @model_validator(mode="after")
    def _unsigned(self) -> GapAnswer:
        _no_negative_counts({v.path: v.value for v in self.values})
        return self
