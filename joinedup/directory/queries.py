from .models import Organisation, Practice


def practices_for_choice():
    return list(Practice.objects.only("pk", "name", "ods_code").order_by("name"))


def organisations_for_choice():
    return list(Organisation.objects.only("pk", "name", "kind").order_by("name"))
