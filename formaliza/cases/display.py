"""The demonstrative as people read it: the stored result (plain JSON) formatted in pt-BR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from formaliza.cases.calculation.ports import Outcome
from formaliza.cases.calculation.rules import RULES
from formaliza.cases.calculation.theses import THESES
from formaliza.cases.indices import month_label
from formaliza.core import br


def _money(value) -> str:
    return br.money_format(Decimal(value)) if value not in (None, "") else "—"


def _month(value: str) -> str:
    return month_label(dt.date.fromisoformat(value))


def demonstrative(calculation) -> dict:
    result, facts = calculation.result, calculation.input["facts"]
    days = int(facts["contribution_days"])
    return {
        "outcome": result["outcome"],
        "outcome_label": Outcome.LABELS[result["outcome"]],
        "claimable": result["outcome"] == Outcome.COMPUTED,
        "headline": result["headline"],
        "explanation": result["explanation"],
        "rule_label": RULES[facts["rule"]].label,
        "legal_basis": RULES[facts["rule"]].legal_basis,
        "thesis_label": THESES[calculation.input["thesis"]].label,
        "table_label": result["table_label"],
        "table_title": calculation.index_table.title,
        "synthetic": result["table_synthetic"],
        "facts": [
            ("Data de início do benefício (DIB)", br.date_format(dt.date.fromisoformat(facts["dib"]))),
            ("Primeiro pagamento", br.date_format(dt.date.fromisoformat(facts["first_payment"]))),
            ("RMI concedida", _money(facts["granted_rmi"])),
            ("Nascimento", br.date_format(dt.date.fromisoformat(facts["birth_date"]))),
            ("Sexo", {"F": "Feminino", "M": "Masculino"}[facts["sex"]]),
            ("Tempo de contribuição", f"{days // 365} anos, {days % 365 // 30} meses e {days % 365 % 30} dias"),
        ],
        "new_rmi": _money(result["new_rmi"]),
        "granted_rmi": _money(result["granted_rmi"]),
        "monthly_difference": _money(result["monthly_difference"]),
        "current_difference": _money(result["current_difference"]),
        "arrears": _money(result["arrears"]),
        "decadence_deadline": br.date_format(dt.date.fromisoformat(result["decadence_deadline"]))
        if result["decadence_deadline"] else "",
        "steps": result["steps"],
        "notices": result["notices"],
        "months": [
            {**row, "month": _month(row["month"]), "amount": _money(row["amount"]),
             "capped": _money(row["capped"]), "factor": br.decimal_format(Decimal(row["factor"]), 6),
             "corrected": _money(row["corrected"])}
            for row in result["months"]
        ],
        "evolution": [
            {**row, "month": _month(row["month"]), "granted": _money(row["granted"]),
             "revised": _money(row["revised"]), "difference": _money(row["difference"])}
            for row in result["evolution"]
        ],
    }  # fmt: skip
