"""The simulator is a WhatsApp simulator: it opens on a WhatsApp channel even when an SMS
channel sorts first by name."""

import re

from formaliza.accounts.roles import Role
from formaliza.conversations.tests.helpers import sms_channel, whatsapp_channel


def test_the_simulator_opens_on_the_whatsapp_channel_before_sms(kit):
    sms = sms_channel(kit.tenant, name="SMS (simulado)")
    whatsapp = whatsapp_channel(kit.tenant, name="WhatsApp (simulado)")
    html = kit.client_for(Role.MANAGER).get("/conversas/simulador/").content.decode()
    select = re.search(r'<select name="channel".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="(\d+)"', select)
    assert options == [str(whatsapp.pk), str(sms.pk)]
