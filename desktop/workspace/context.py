"""What every room of the workspace is given about the open operation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OperationRef:
    """The open operation as the rooms need it: plain data, no store handle."""

    operation_id: str
    name: str
    role: str  # "coordinator", "officer" or "observer"
    status: str  # "active", "pending", "closed" ...
    templates: tuple[str, ...] = ()  # template ids the operation uses (forms.templateset)

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    @property
    def read_only(self) -> bool:
        return self.role == "observer" or self.status == "closed"
