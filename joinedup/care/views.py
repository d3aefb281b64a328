from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from joinedup.accounts.roles import Perm
from joinedup.directory.queries import organisations_for_choice
from joinedup.people.decorators import person_page
from joinedup.people.presenters import PersonPresenter

from . import queries, services
from .forms import CareTeamMemberForm, EndMembershipForm


@person_page(Perm.EDIT_CARE_TEAM, "care team (manage)")
def team(request, person):
    form = CareTeamMemberForm(request.POST or None, organisations=organisations_for_choice())
    if request.method == "POST" and form.is_valid():
        try:
            services.care_team_add(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e.messages)
        else:
            messages.success(request, f"{form.cleaned_data['name']} added to the care team")
            return redirect("care:team", person.pk)
    return render(
        request,
        "care/team.jinja",
        {
            "person": PersonPresenter(person, key_worker=queries.key_worker_for(person=person)),
            "members": queries.care_team_for(person=person),
            "form": form,
        },
    )


@person_page(Perm.EDIT_CARE_TEAM, "care team (end membership)")
def end_member(request, person, member_id):
    member = queries.care_team_member_for(person=person, pk=member_id)
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_team_end(by=request.user, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            form.add_error(None, e.messages)
        else:
            messages.success(request, f"{member.name} has left the care team")
            return redirect("care:team", person.pk)
    return render(
        request,
        "care/end_member.jinja",
        {
            "person": PersonPresenter(person, key_worker=queries.key_worker_for(person=person)),
            "member": member,
            "form": form,
        },
    )
