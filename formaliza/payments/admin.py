from django.contrib import admin

from formaliza.payments.models import Charge, CreditEntry, CreditWallet, PixAccount, PixPayment

admin.site.register(PixAccount)
admin.site.register(Charge)
admin.site.register(PixPayment)
admin.site.register(CreditWallet)
admin.site.register(CreditEntry)
