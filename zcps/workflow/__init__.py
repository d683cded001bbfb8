"""Every state transition of zcps, one module per step of the seed's workflow.

Each transition is a plain function: it checks the actor, the record's current state (read
under a row lock, within the actor's scope) and the preconditions, writes the new state and its
history row in the caller's transaction, and queues the notification in that same transaction.
A refusal raises :class:`WorkflowError` whose message is the sentence to show. Views translate a
click into one call (``views.base.run_step``) and never set a status themselves. The caller
commits.

- ``authorization``  step 2, 授权审核 (委托证明)
- ``archive``        step 3, 业绩档案审核 (basic information and archive items)
- ``application``    step 4, 申报资料审核
- ``publicity``      step 5, 信息公示 and 异议
- ``recommendation`` step 6, 资格审查推荐 and the acceptance point
- ``route``          the reviewing levels between the unit and the acceptance point
- ``plan``           评审计划: the admin's plans and their deadlines (延期 told by SMS)
- ``reminders``      截止提醒 before a plan's unit deadline, each SMS once
- ``common``         refusals, locks, decisions and history; ``sms`` every message's text
"""
from .application import (
    APPLICANT_EDITABLE,
    CLOSED_APPLICATION_STATES,
    DECLARATION,
    REPLY_MAX,
    create_application,
    extract_items,
    fill_template,
    missing_mandatory_categories,
    open_application,
    opinion_templates,
    profile_snapshot,
    remarked_items,
    reply_errors,
    reply_to_remarks,
    review_application,
    round_changes,
    submit_application,
    update_application,
)
from .archive import (
    EDITABLE_ITEM_STATES,
    ITEM_PART,
    PROFILE_PART,
    BulkReview,
    attach_file,
    choose_unit,
    create_item,
    delete_item,
    review_archives,
    review_item,
    review_profile,
    save_and_submit_profile,
    save_item,
    save_profile,
    submit_item,
    submit_profile,
)
from .authorization import (
    approve_authorization,
    current_officer,
    pending_officer_change,
    reject_authorization,
    submit_authorization,
)
from .common import DECISIONS, AlreadyHandled, WorkflowError, record_history
from .plan import PLAN_CHANGED, PlanRefused, PlanSaved, check_plan, cover, plan_moments, save_plan
from .publicity import (
    MAX_PUBLICITY_LEAD,
    MAX_PUBLICITY_SPAN,
    OBJECTION_RESOLUTIONS,
    close_ended_publicities,
    close_ended_publicities_when_due,
    deadline_fit,
    late_fits,
    objection_phone_number,
    plans_deadline_fit,
    publicity_period,
    record_objection,
    resolve_objection,
    start_publicity,
)
from .recommendation import (
    RECOMMENDABLE,
    SENT_BACK,
    accept_application,
    recommend_application,
    recommendable_from,
    recommendation_blocker,
    return_to_applicant,
    return_to_unit,
)
from .reminders import APPLICANT_REMINDER_DAYS, UNIT_REMINDER_DAYS, send_reminders
from .route import chain_problem, pass_on, return_from_level, route_levels, route_of, routes_problem
from .unit_change import decide_unit_change, former_names, request_unit_change

__all__ = [name for name in dir() if not name.startswith("_")]
