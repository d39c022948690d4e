"""Snow alerts (SPEC A-1…A-10): operators, their routes and contracts, who to tell and how,
the runs of a storm morning and the broadcasts."""

from alerts.models.companies import Company, Route, Service
from alerts.models.contracts import ContactPoint, Contract, ContractNote, Occupant
from alerts.models.runs import Broadcast, RouteRun, RunStop

__all__ = [
    "Broadcast",
    "Company",
    "ContactPoint",
    "Contract",
    "ContractNote",
    "Occupant",
    "Route",
    "RouteRun",
    "RunStop",
    "Service",
]
