"""What the model is asked to fill: pydantic models instructor turns into the
tool (or JSON) schema and validates the answer against.

``TablesAnswer`` mirrors FORMAT.md's three tables with the report schema's own
models, so a valid answer is already canonical. ``GapAnswer`` is a flat list of
(path, value) pairs: the hybrid backend asks for a handful of cells by path.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..schema import Active2019, Active2021, Applications, ReviewLitigation
from ..template import Template


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
