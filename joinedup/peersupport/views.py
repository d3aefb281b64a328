from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from joinedup.accounts.roles import Perm
from joinedup.care.queries import key_worker_for
from joinedup.core.access import may, user_regions
from joinedup.core.decorators import requires
from joinedup.core.paging import page_number
from joinedup.people.decorators import person_page
from joinedup.people.presenters import PersonPresenter

from . import presenters, queries, reference, services
from .decorators import allocation_page, referral_page
from .forms import (
    AllocateForm,
    ContactForm,
    DirectorySearchForm,
    EndForm,
    LinkForm,
    OutcomesForm,
    ProgressionForm,
    ReferForm,
    SupervisionForm,
    TrainingForm,
)


def _presenter(person):
    return PersonPresenter(person, key_worker=key_worker_for(person=person))


def _page_number(request):
    return page_number(request)


# Worklists


@requires(Perm.RECORD_PEER_SUPPORT)
def caseload(request):
    user = request.user
    is_senior = may(user, Perm.ALLOCATE_PEER_SUPPORT)
    return render(
        request,
        "peersupport/caseload.jinja",
        {
            "mine": queries.caseload_for(by=user),
            "supervisees": queries.supervisees_caseloads_for(by=user) if is_senior else None,
            "waiting_count": len(queries.waiting_referrals_for(by=user)) if is_senior else None,
            "can_manage": may(user, Perm.MANAGE_PEER_WORKFORCE),
        },
    )


@requires(Perm.ALLOCATE_PEER_SUPPORT)
def waiting(request):
    return render(request, "peersupport/waiting.jinja", {"referrals": queries.waiting_referrals_for(by=request.user)})


# One person


@person_page(Perm.VIEW_PEER_SUPPORT, "peer support")
def person(request, person):
    user = request.user
    referrals = queries.referrals_for(person=person)
    allocation = queries.current_allocation_for(person=person)
    changes = queries.outcome_changes_for(person=person)
    waiting = next((r for r in referrals if r.status == "waiting"), None)
    return render(
        request,
        "peersupport/person.jinja",
        {
            "person": _presenter(person),
            "referrals": referrals,
            "waiting": waiting,
            "allocation": allocation,
            "allocations": queries.allocations_for(person=person),
            "contacts": queries.contacts_for(person=person),
            "links": [(link, presenters.OfferPresenter(link.offer)) for link in queries.offer_links_for(person=person)],
            "changes": [(c, presenters.change_text(c.change), presenters.ratings_text(c.ratings)) for c in changes],
            "any_ratings": any(c.ratings for c in changes),
            "can_refer": may(user, Perm.REFER_PEER_SUPPORT, person)
            and not any(r.status != "closed" for r in referrals),
            "can_allocate": waiting is not None and may(user, Perm.ALLOCATE_PEER_SUPPORT, person),
            "can_record": allocation is not None and may(user, Perm.RECORD_PEER_SUPPORT, person),
        },
    )


@person_page(Perm.REFER_PEER_SUPPORT, "peer support referral")
def refer(request, person):
    from joinedup.care.carried import known_about, peer_support_referral_initial

    initial, carried = peer_support_referral_initial(person)
    form = ReferForm(request.POST or None, initial={"source": request.GET.get("source", ""), **initial})
    if request.method == "POST" and form.is_valid():
        try:
            services.peer_referral_create(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{person.full_name} has been referred to peer support")
            return redirect("peersupport:person", person.pk)
    return render(
        request,
        "peersupport/refer.jinja",
        {"person": _presenter(person), "form": form, "carried": carried + known_about(person)},
    )


@referral_page(Perm.ALLOCATE_PEER_SUPPORT, "peer support allocation")
def allocate(request, referral):
    person = referral.person
    locality = person.practice.locality if person.practice_id else referral.locality
    choices = queries.workers_for_allocation(locality=locality) if referral.status == "waiting" else []
    form = AllocateForm(request.POST or None, choices=choices)
    if request.method == "POST" and referral.status == "waiting" and form.is_valid():
        worker = queries.worker_choice(pk=form.cleaned_data["worker"])
        try:
            if worker is None:
                raise ValidationError({"worker": "Select a worker from the list"})
            services.allocation_create(
                by=request.user,
                referral=referral,
                worker=worker,
                outside_locality_reason=form.cleaned_data["outside_locality_reason"],
            )
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"{person.full_name} allocated to {worker.user.get_full_name()}")
            return redirect("peersupport:waiting")
    return render(
        request,
        "peersupport/allocate.jinja",
        {"person": _presenter(person), "referral": referral, "locality": locality, "form": form, "choices": choices},
    )


@allocation_page(Perm.RECORD_PEER_SUPPORT, "peer support contact")
def contact(request, allocation):
    person = allocation.person
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.contact_record(by=request.user, allocation=allocation, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(
                request,
                "Contact recorded. If you connected the person to a community activity, find it below.",
            )
            return redirect(
                reverse("peersupport:connect", args=[allocation.pk])
                + f"?contact={recorded.pk}&locality={person.practice.locality.code if person.practice_id else ''}"
            )
    return render(
        request, "peersupport/contact.jinja", {"person": _presenter(person), "allocation": allocation, "form": form}
    )


@allocation_page(Perm.RECORD_PEER_SUPPORT, "peer support: connect to the community")
def connect(request, allocation):
    person = allocation.person
    params = request.GET.copy()
    if "locality" not in params and person.practice_id:
        params["locality"] = person.practice.locality.code
    search = DirectorySearchForm(params, localities=queries.localities_for_choice())
    contact_id = request.POST.get("contact") or request.GET.get("contact")
    linked_contact = queries.contact_in(allocation=allocation, pk=contact_id)
    link_error = None
    if request.method == "POST":
        link = LinkForm(request.POST)
        if link.is_valid():
            offer = queries.offer_for(pk=link.cleaned_data["offer"])
            try:
                services.offer_link(by=request.user, allocation=allocation, offer=offer, contact=linked_contact)
            except ValidationError as e:
                link_error = " ".join(e.messages)
            else:
                messages.success(request, f"{person.full_name} connected to {offer.name}")
                return redirect("peersupport:person", person.pk)
        else:
            link_error = "Choose an offer from the search results"
    offers, total = [], 0
    if search.is_valid():
        offers, total = queries.directory_search(
            locality=search.cleaned_data["locality"],
            category=search.cleaned_data["category"],
            text=search.cleaned_data["q"],
            page=_page_number(request),
        )
    return render(
        request,
        "peersupport/connect.jinja",
        {
            "person": _presenter(person),
            "allocation": allocation,
            "search": search,
            "offers": [presenters.OfferPresenter(o) for o in offers],
            "total": total,
            "contact": linked_contact,
            "link_error": link_error,
            "page": _page_number(request),
            "page_size": queries.DIRECTORY_PAGE_SIZE,
            "query": params.urlencode(),
        },
    )


@allocation_page(Perm.RECORD_PEER_SUPPORT, "peer support outcomes")
def outcomes(request, allocation):
    person = allocation.person
    done = queries.rating_stages_done(allocation=allocation)
    default_stage = "start" if "start" not in done else "review"
    form = OutcomesForm(request.POST or None, initial={"stage": default_stage})
    if request.method == "POST" and form.is_valid():
        try:
            services.outcomes_rate(
                by=request.user,
                allocation=allocation,
                stage=form.cleaned_data["stage"],
                rated_on=form.cleaned_data["rated_on"],
                scores=form.scores(),
            )
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for field, errors in e.message_dict.items():
                    name = field if field in form.fields else f"outcome_{field}"
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, e.messages)
        else:
            messages.success(request, "Outcomes recorded")
            return redirect("peersupport:person", person.pk)
    return render(
        request,
        "peersupport/outcomes.jinja",
        {
            "person": _presenter(person),
            "allocation": allocation,
            "form": form,
            "scale": reference.scale(),
            "done": [reference.stages()[s] for s in reference.stages() if s in done],
        },
    )


@allocation_page(Perm.RECORD_PEER_SUPPORT, "peer support: end")
def end(request, allocation):
    person = allocation.person
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_end(by=request.user, allocation=allocation, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, f"Peer support for {person.full_name} has ended")
            return redirect("peersupport:caseload")
    return render(
        request, "peersupport/end.jinja", {"person": _presenter(person), "allocation": allocation, "form": form}
    )


# The community directory


@requires(Perm.SEARCH_COMMUNITY_DIRECTORY)
def directory(request):
    search = DirectorySearchForm(request.GET, localities=queries.localities_for_choice())
    offers, total = [], 0
    if search.is_valid():
        offers, total = queries.directory_search(
            locality=search.cleaned_data["locality"],
            category=search.cleaned_data["category"],
            text=search.cleaned_data["q"],
            page=_page_number(request),
        )
    return render(
        request,
        "peersupport/directory.jinja",
        {
            "search": search,
            "offers": [presenters.OfferPresenter(o) for o in offers],
            "total": total,
            "page": _page_number(request),
            "page_size": queries.DIRECTORY_PAGE_SIZE,
            "query": request.GET.copy().urlencode(),
        },
    )


@requires(Perm.SEARCH_COMMUNITY_DIRECTORY)
def offer(request, offer_id):
    return render(
        request, "peersupport/offer.jinja", {"offer": presenters.OfferPresenter(queries.offer_for(pk=offer_id))}
    )


# The workforce


@requires(Perm.MANAGE_PEER_WORKFORCE)
def workforce(request):
    return render(
        request,
        "peersupport/workforce.jinja",
        {
            "workers": [presenters.WorkerPresenter(w) for w in queries.workforce(regions=user_regions(request.user))],
            "progressed": queries.volunteers_progressed(),
        },
    )


@requires(Perm.MANAGE_PEER_WORKFORCE)
def worker(request, peer_worker_id):
    worker = queries.worker_for(pk=peer_worker_id, regions=user_regions(request.user))
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "supervision": SupervisionForm(request.POST if action == "supervision" else None, prefix="supervision"),
        "training": TrainingForm(
            request.POST if action == "training" else None,
            prefix="training",
            modules=reference.modules_for(worker.kind),
        ),
        "progression": ProgressionForm(request.POST if action == "progression" else None, prefix="progression"),
    }
    form = forms.get(action)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "supervision":
                services.supervision_record(by=request.user, worker=worker, **data)
                done = "Supervision session recorded"
            elif action == "training":
                services.training_complete(by=request.user, worker=worker, **data)
                done = "Training recorded"
            else:
                services.progression_record(by=request.user, worker=worker, **data)
                done = "Change of role recorded"
        except ValidationError as e:
            form.add_service_error(e)
        else:
            messages.success(request, done)
            return redirect("peersupport:worker", worker.pk)
    return render(
        request,
        "peersupport/worker.jinja",
        {
            "worker": presenters.WorkerPresenter(worker),
            "supervision": queries.supervision_for(worker=worker),
            "training": queries.training_for(worker=worker),
            "progressions": queries.progressions_for(worker=worker),
            "forms": forms,
        },
    )
