from decimal import Decimal

import pytest

from formaliza.payments.brcode import brcode_dynamic, brcode_parse, brcode_static, crc16_ccitt

# The static example of the Banco Central's "Manual de Padrões para Iniciação do Pix".
BCB_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


def test_crc16_ccitt_false_check_value():
    assert crc16_ccitt(b"123456789") == "29B1"


def test_static_payload_is_the_banco_centrals_example():
    payload = brcode_static(
        key="123e4567-e12b-12d1-a456-426655440000", name="Fulano de Tal", city="BRASILIA"
    )
    assert payload == BCB_EXAMPLE


def test_static_with_amount_and_txid_accents_removed_and_parses_back():
    payload = brcode_static(
        key="pix@example.com", name="João da Conceição", city="São Luís",
        amount=Decimal("150"), txid="CASO12",
    )  # fmt: skip
    fields = brcode_parse(payload)
    assert fields["54"] == "150.00"
    assert fields["59"] == "Joao da Conceicao"
    assert fields["60"] == "Sao Luis"
    assert fields["62"] == "0506CASO12"


def test_dynamic_payload_points_to_the_location_and_is_single_use():
    payload = brcode_dynamic(location="pix.example.com/qr/v2/abc", name="Fulano", city="BRASILIA")
    fields = brcode_parse(payload)
    assert fields["01"] == "12"
    assert fields["26"] == "0014br.gov.bcb.pix2525pix.example.com/qr/v2/abc"


def test_a_changed_payload_fails_the_crc():
    with pytest.raises(ValueError, match="CRC"):
        brcode_parse(BCB_EXAMPLE.replace("Fulano", "Fulana"))
