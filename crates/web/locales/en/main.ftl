# English: the pages' words. Every other language file has every message here.
# Keep sentences short and plain; say what to do after every problem.

language-name = English

## Amounts and dates

n-credits = { $n ->
    [one] { $n } Time Credit
   *[other] { $n } Time Credits
}
n-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
n-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
and = { $a } and { $b }
short-credits = { $n ->
    [one] { $n } credit
   *[other] { $n } credits
}
short-minutes = { $n } min
date-long = { $day } { $month } { $year }
date-time = { $date }, { $time }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Every page

site-name = Time Credits
skip-to-content = Skip to main content
sign-out = Sign out
sign-in = Sign in
language-switch = Language
language-change = Change language to { $name }
nav-label = Main menu
footer-line = One hour given is one Time Credit.
title-suffix = Time Credits
error-prefix = Error:
there-is-a-problem = There is a problem
back-home = Go to your home page

nav-home = Home
nav-activities = Find activities
nav-claims = Claim hours
nav-card = My card
nav-spend = Spend credits
nav-give = Give credits
nav-timebank = Time bank
nav-statement = My statement
nav-details = My details
nav-sessions = Sessions
nav-claims-to-decide = Claims to decide
nav-desk = Spend desk

## Start page

landing-title = Time Credits
landing-lead = Give an hour of your time to your community, and earn one Time Credit. Spend it on something you enjoy, or give it to someone else.
landing-sign-in = Sign in to see your Time Credits

## Signing in

sign-in-title = Sign in
sign-in-login = Email or member number
sign-in-login-hint = Your member number is the 7 digits on your card.
sign-in-secret = Password or PIN
sign-in-button = Sign in
sign-in-error-timed-out = This page timed out. Enter your details again.
sign-in-error-login-missing = Enter your email address or member number
sign-in-error-secret-missing = Enter your password or PIN
sign-in-error-wrong = The email, member number, password or PIN is not right. Check them and try again.
sign-in-error-too-many = Too many tries. Wait { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
} and try again, or ask a coordinator to help you.

## Home

home-title = Your Time Credits
home-hello = Hello, { $name }
home-balance-heading = Your Time Credits
home-balance = You have { $amount }.
home-balance-hours = That is { $hours } of time given.
home-balance-none = Give an hour of your time to a local group or service to earn your first Time Credit.
home-number = Your member number is { $number }.
home-next-sessions = Your next sessions
home-no-sessions = You are not signed up to any sessions. Find an activity to join.
home-waiting = You are on the waiting list.
home-latest = Your latest changes
home-see-statement = See your whole statement
home-roles = Your roles
home-members-of = Members of { $programme }
home-no-members = No members yet.
home-members-caption = { $shown ->
    [one] { $shown } member
   *[other] { $shown } members
}, by name
home-members-caption-partial = The first { $shown } of { $total } members, by name
role-member = Member of { $place }
role-coordinator = Coordinator at { $place }
role-spend-staff = Spend desk staff at { $place }
role-manager = Programme manager of { $place }
role-evaluator = Evaluator of { $place }
role-administrator = Administrator of { $place }
role-platform = the platform

## Statements

statement-title = Your statement
statement-empty = No credits have moved in or out of your account yet.
statement-caption-latest = Your latest { $n } changes, newest first
statement-caption-all = Every change, newest first
statement-date = Date
statement-what = What
statement-in = In
statement-out = Out
statement-balance = Balance
statement-download = Download your whole statement as a spreadsheet (CSV)
statement-number = Number
statement-name = Name
kind-issue = Credits for time given
kind-redeem = Spent
kind-gift-in = Gift received
kind-gift-out = Gift given
kind-exchange-in = Time bank: you helped
kind-exchange-out = Time bank: you were helped
kind-retire = Retired by the programme
kind-expire = Expired
kind-reversal = Correction
kind-redeem-in = Credits spent here

## My card

card-title = My card
card-lead = Show this at a spend desk. Staff can type your number or scan the code.
card-number = Member number
card-qr = QR code for your member number
card-print = Print this page to keep a paper card.

## Activities

activities-title = Find activities
activities-filter = Filter activities
activities-place = Place
activities-place-hint = A town, a street or a building, for example March.
activities-day = Day
activities-any-day = Any day
activities-organisation = Organisation
activities-any-organisation = Any organisation
activities-level = How you take part
activities-mode = Kind of activity
activities-any = Any
activities-apply = Show activities
activities-none = No activities match. Try fewer filters.
activities-count = { $n ->
    [one] { $n } activity
   *[other] { $n } activities
}
activity-by = Run by { $organisation }
activity-where = Where
activity-access = Access
activity-usual = Usually takes { $hours }.
activity-earns = You earn one Time Credit for each hour you give.
activity-no-earn = This activity does not earn Time Credits.
activity-sessions = Sessions
activity-no-sessions = No sessions are planned yet.
session-when = { $start } to { $end }
session-places = { $free ->
    [0] Full: you can join the waiting list.
    [one] { $free } place left
   *[other] { $free } places left
}
session-sign-up = Sign up
session-join-waiting = Join the waiting list
session-cancel = Cancel my place
session-you-are-in = You have a place.
session-you-are-waiting = You are on the waiting list.
session-signed-up = You are signed up. See you there!
session-waiting-joined = The session is full, so you are on the waiting list. We will give you a place if someone cancels.
session-cancelled = Your place is cancelled.
day-1 = Monday
day-2 = Tuesday
day-3 = Wednesday
day-4 = Thursday
day-5 = Friday
day-6 = Saturday
day-7 = Sunday
level-individual = On my own
level-group = With a group
level-collective = With the whole community
mode-co_design = Designing a service
mode-co_delivery = Helping to run a service
mode-co_governance = Helping to decide
mode-peer_support = Supporting others like me
mode-community_action = Community action

## Claims

claims-title = Claim hours
claims-lead = Tell us about time you gave. A coordinator checks it, then your credits arrive.
claims-activity = Activity
claims-activity-choose = Choose an activity
claims-date = Date you gave the time
claims-date-hint = For example 26 11 2026.
claims-day = Day
claims-month = Month
claims-year = Year
claims-hours = Hours
claims-minutes = Minutes
claims-time-hint = In steps of { $step } minutes.
claims-note = What did you do? (optional)
claims-submit = Send my claim
claims-sent = Your claim is sent. A coordinator will look at it soon.
claims-mine = Your claims
claims-none = You have not claimed any hours yet.
claims-status = Status
claims-status-pending = Waiting for a decision
claims-status-confirmed = Confirmed
claims-status-rejected = Not accepted
claims-reason = Reason
claims-error-activity = Choose the activity you gave time to
claims-error-date = Enter a real date, for example 26 11 2026
claims-error-time = Enter how long you gave, in hours and minutes

## Giving

give-title = Give credits
give-lead = Give some of your Time Credits to another member, or to a group's community pot.
give-to = Member number of the person
give-to-hint = The 7 digits on their card.
give-amount = How many hours
give-reason = Message (optional)
give-submit = Give
give-done = You gave { $amount }.
give-error-to = Enter the 7-digit member number of the person
give-error-amount = Enter how much to give, in hours and minutes

## Problems shown on pages

problem-not-found = There is no page at this address. Check it, or go to the start page.
problem-forbidden = You cannot do this with your account. Ask a coordinator if you think you should.
problem-timed-out = This page timed out. Go back, reload the page and try again.
problem-generic = Something went wrong. Try again in a few minutes.
problem-title-not-found = Page not found
problem-title-forbidden = You cannot do this
problem-title-server = Sorry, something went wrong

## Refusals the pages word themselves

refusal-future_date = The date is in the future. Enter the date you gave the time.
refusal-not_a_whole_number_of_steps = Enter the time in whole steps, such as 15, 30 or 45 minutes.
refusal-daily_cap_exceeded = That is more time than can be credited for one day. Check the hours, or ask a coordinator.
refusal-claims_not_allowed = This activity does not take claims from members. Ask its coordinator to record your time.
refusal-activity_does_not_earn = This activity does not earn Time Credits. Choose another activity.
refusal-insufficient_credits = You do not have enough Time Credits for this.
refusal-not_found = We could not find that. Check the number and try again.

## Coordinators

sessions-title = Sessions
sessions-today = Today
sessions-later = Coming up
sessions-none = No sessions.
sessions-places = { $taken } of { $capacity } places taken, { $waiting } waiting
sessions-register = Take the register
sessions-see-register = See who is coming
register-title = Register
register-lead = Tick who came. Each person gets { $default } unless you change their minutes.
register-caption = Who signed up
register-attended = Came
register-came = { $name } came
register-minutes = Minutes given
register-minutes-for = Minutes { $name } gave
register-confirm = Confirm the register and give the credits
register-confirmed = The register is confirmed. Everyone who came has their Time Credits.
register-recorded = Time credited
register-not-started = This session has not started yet. Come back once it has begun to take the register.
register-nobody = Nobody signed up to this session.
register-back = Back to sessions
register-error-minutes = Enter the minutes { $name } gave, as a whole number
decide-title = Claims to decide
decide-none = There are no claims waiting.
decide-confirm = Confirm
decide-reject = Do not accept
decide-reason = Why not? The member will see this.
decide-confirmed = The claim is confirmed and the credits are given.
decide-rejected = The claim was not accepted. The member can see why.
decide-error-reason = Say why the claim is not accepted, so the member knows
refusal-session_not_started = This session has not started yet. Take the register once it has begun.
refusal-register_already_confirmed = This register is already confirmed.

## The spend desk

desk-title = Spend desk
desk-find = Member number or card code
desk-find-hint = Type the 7 digits on the card, or scan the code.
desk-find-button = Find member
desk-balance = Has { $credits } ({ $hours }).
desk-choose = Choose what they are spending on
desk-take = Take { $price } for { $offer }
desk-not-enough = Not enough credits
desk-no-offers = You have no offers open today. A manager or desk staff can add them.
desk-today = Today at this desk
desk-none-today = Nothing yet today.
desk-time = Time
desk-member = Member
desk-offer = Offer
desk-price = Credits
desk-error-member = We cannot find that member. Check the number on their card and try again.
receipt-title = Done
receipt-lead = The credits are taken. Give the member their { $offer }.
receipt-paid = Paid
receipt-balance-now = Balance now
receipt-next = Next member

## Time bank

category-care_and_companionship = Care and companionship
category-cooking_and_food = Cooking and food
category-gardening_and_outdoors = Gardening and outdoors
category-diy_and_repairs = DIY and repairs
category-transport_and_errands = Transport and errands
category-digital_and_admin = Computers, phones and forms
category-teaching_and_tutoring = Teaching and tutoring
category-arts_and_crafts = Arts and crafts
category-sport_and_fitness = Sport and fitness
category-languages_and_translation = Languages and translation
category-childcare_and_families = Children and families
category-events_and_community = Events and community
category-other = Something else
timebank-title = Time bank
timebank-lead = Swap time with your neighbours: one hour of help is one Time Credit, whatever the help is.
timebank-search = Search the time bank
timebank-kind = Offers or requests
timebank-any-kind = Both
timebank-kind-offer = Offer: I can help
timebank-kind-request = Request: I need help
timebank-category = Kind of help
timebank-place = Place
timebank-search-button = Search
timebank-results = What people offer and need
timebank-none = Nothing matches. Try fewer filters.
timebank-by = { $name }
timebank-propose = Propose an exchange
timebank-mine = Your offers and requests
timebank-mine-none = You have not posted anything yet.
timebank-post = Post an offer or a request
timebank-post-kind = What are you posting?
timebank-title-field = Title
timebank-title-hint = For example: Lifts to the surgery in March.
timebank-description = More detail (optional)
timebank-post-button = Post it
timebank-proposals = Your exchanges
timebank-proposals-none = No exchanges yet.
timebank-you-helped = You helped { $name } for { $time }.
timebank-helped-you = { $name } helped you for { $time }.
timebank-accept = Accept and pay
timebank-decline = Decline
timebank-withdraw = Withdraw
timebank-status-open = Waiting for an answer
timebank-status-accepted = Accepted and paid
timebank-status-declined = Declined
timebank-status-withdrawn = Withdrawn
timebank-status-expired = Expired
timebank-listed = Your listing is posted.
timebank-proposed = Your proposal is sent. Nothing is paid until the other person accepts.
timebank-accepted = Accepted. The credits have moved.
timebank-declined = Declined.
timebank-withdrawn = Withdrawn.
timebank-error-kind = Choose whether you are offering or asking for help
timebank-error-title = Enter a short title
timebank-error-direction = Choose who helped whom
propose-title = Propose an exchange
propose-lead = Nothing is paid until the other person accepts.
propose-to = Member number of the other person
propose-direction = Who helped whom?
propose-helper-bills = I helped them: they pay me
propose-helped-pays = They helped me: I pay them
propose-note = What was the help? (optional)
propose-button = Send the proposal

## Spending

spend-title = Spend your credits
spend-lead = Show your card at the place's desk. They take the credits when you arrive.
spend-none = There is nothing to spend credits on yet.
spend-not-yet = You need more credits for this one
audience-adult = For adults
audience-child = For children
audience-family = For families

## My details

details-title = My details
details-language = Language for the website
details-skills = What I can offer
details-skills-text = Anything else I can offer (optional)
details-interests = What interests me
details-interests-text = Anything else that interests me (optional)
details-phone = Phone number (optional)
details-email = Email address (optional)
details-save = Save my details
details-saved = Your details are saved.

## Getting back in: reset codes
reports-wave-link = See the change to { $months } months instead
org-members-pages = Pages of members
org-members-first-page = First page
org-members-next-page = Next page of members
manage-import-file = CSV file
manage-import-file-hint = Choose the file on your computer. Or paste its text in the box below instead.
admin-staff-reset = A staff member forgot their password
admin-staff-reset-link = Give them a reset code
org-members-reset-code = Give a PIN reset code
sign-in-forgotten = Forgotten your PIN or password?
reset-title = Choose a new PIN or password
reset-lead = Ask the coordinator of your group for a reset code. They can give it to you in person or on the phone.
reset-lead-staff = Staff: ask your programme's administrator for a code.
reset-code = Reset code
reset-code-hint = 8 digits. The code works once, for 24 hours.
reset-new-secret = New PIN or password
reset-new-secret-hint = If you sign in with your member number, choose a PIN of 4 to 6 digits. If you sign in with your email, choose a password of at least 10 characters.
reset-again = Type it again
reset-button = Save and sign in
reset-back-to-sign-in = Back to sign in
reset-error-code-missing = Enter the reset code you were given
reset-error-secret-missing = Enter your new PIN or password
reset-error-again = The two do not match. Type your new PIN or password again in both boxes.
reset-error-pin-rule = Choose a PIN of { $min } to { $max } digits, using numbers only
reset-error-password-rule = Choose a password of at least { $chars } characters. A short sentence is easy to remember.
refusal-reset_code_not_valid = That code does not work. Check your member number or email and the code. A code works once, for 24 hours. If it still does not work, ask for a new code.
reset-code-title = Give a reset code
reset-code-member-lead = { $name } will use the code to choose a new PIN (or their first PIN).
reset-code-staff-lead = A staff member will use the code to choose a new password.
reset-code-email = The staff member's email address
reset-code-error-email = There is no staff account with that email. Check the address.
reset-code-check = Check who you are talking to before you give a code. Any code given before stops working.
reset-code-button = Give a code
reset-code-for = The reset code for { $name } is:
reset-code-until = It works once, until { $time }.
reset-code-how-pin = Tell them the code. They go to "Forgotten your PIN or password?" on the sign-in page, enter their member number, the code and a new PIN.
reset-code-how-password = Tell them the code. They go to "Forgotten your PIN or password?" on the sign-in page, enter their email, the code and a new password.
reset-code-once = This code is not shown again. If it is lost, give a new one.
reset-email-title = Get a code by email
reset-email-lead = If you sign in with an email address, we can send a code to it.
reset-email-address = Your email address
reset-email-button = Email me a code
reset-email-sent = If an account uses { $email }, we have sent a reset code to it. It works once, for 24 hours. Check your spam folder if it does not arrive.
reset-email-error-address = Enter an email address, like name@example.org
reset-email-error-not-sent = The email could not be sent just now. Try again later, or ask your administrator for a code.
reset-email-subject = Your Time Credits reset code
reset-email-body = Hello { $name },

    Your reset code is: { $code }

    It works once, until { $time } (UTC). On the sign-in page, choose "Forgotten your PIN or password?" and enter your email, this code and a new password.

    If you did not ask for a code, you can ignore this email. Your password has not changed.
## Staff pages: organisation members, acting for a member, activities, organisation statement, desk offers

nav-org-members = Members
nav-org-activities = Manage activities
nav-org-statement = Organisation statement
nav-desk-offers = Offers
proxy-banner = You are acting for { $name } ({ $number })
proxy-stop = Stop acting for them
org-choose = Choose an organisation
org-members-title = Members
org-members-approved = The registration is approved. They can take part now.
org-members-declined = The registration is declined.
org-members-error-name = Enter the person’s name
org-members-error-email = Enter an email address like name@example.org, or leave it blank
org-members-error-phone = Enter a phone number using digits, or leave it blank
org-members-error-reason = Say why the registration is declined
org-members-registered = { $name } is registered
org-members-registered-once = Give them their number and PIN now. The PIN is shown only this once.
org-members-pin = PIN
org-members-print-card = Print their card
org-members-pending = Registrations waiting for a decision
org-members-pending-none = No registrations are waiting.
org-members-registered-on = Registered on { $date }
org-members-approve = Approve
org-members-decline = Decline
org-members-decline-reason = Why is it declined?
org-members-list = The organisation’s members
org-members-none = The organisation has no members yet.
org-members-caption = Members, by name
org-members-actions = What you can do
org-members-act-for = Act for them
org-members-register = Register someone
org-members-register-lead = For someone who asked you to register them. They get a member number and a PIN to sign in with.
org-members-name = Their name
org-members-register-button = Register them
org-card-title = Card for { $name }
org-card-lead = Print this page and give the card to them. The number and the code are theirs.
org-card-qr = QR code for their member number
org-card-back = Back to members
org-statement-title = Organisation statement
org-statement-balance = The organisation holds { $credits } ({ $hours }).
org-statement-empty = No credits have moved in or out of the organisation’s account yet.
org-statement-download = Download the whole statement as a spreadsheet (CSV)
org-activities-title = Manage activities
org-activities-none = The organisation has no activities yet.
org-activities-edit = Edit and add sessions
org-activities-new = Create an activity
org-activities-create = Create the activity
org-activity-error-title = Enter the activity’s name
org-activity-error-level = Choose how people take part
org-activity-error-mode = Choose what kind of help it is
org-activity-error-duration = Enter the usual length in whole hours and minutes
org-activity-title-field = Name of the activity
org-activity-description = What people do
org-activity-level = How people take part
org-activity-mode = What kind of help it is
org-activity-place = Where it happens (optional)
org-activity-accessibility = Access information (optional)
org-activity-duration = How long it usually lasts
org-activity-earns = Time given to it earns Time Credits
org-activity-places = Places: { $n }
org-activity-created = The activity is created. Add its sessions below.
org-activity-saved = The activity is saved.
org-activity-session-added = The session is added.
org-activity-back = Back to activities
org-activity-sessions = Coming sessions
org-activity-sessions-none = No sessions are planned.
org-activity-add-session = Add a session
org-activity-add-session-button = Add the session
org-activity-edit = Change the activity
org-activity-save = Save the activity
org-session-date = Date
org-session-start = Starts at
org-session-end = Ends at
org-session-places = Number of places
org-session-error-date = Enter the date of the session
org-session-error-time = Enter a time such as 09:30
org-session-error-places = Enter the number of places as a whole number, 1 or more
offer-not-available-now = Not available now — available { $hours }
desk-offers-title = Offers
desk-offers-none = You have no offers yet.
desk-offers-from = From { $date }
desk-offers-is-withdrawn = Withdrawn
desk-offers-edit = Change or withdraw
desk-offers-new = Publish a new offer
desk-offers-publish = Publish the offer
desk-offers-published = The offer is published.
desk-offers-saved = The offer is saved.
desk-offers-withdrawn = The offer is withdrawn. Members can no longer spend credits on it.
desk-offers-back = Back to offers
desk-offers-save = Save the offer
desk-offers-withdraw-heading = Withdraw the offer
desk-offers-withdraw-lead = Members will no longer be able to spend credits on it. This cannot be undone.
desk-offers-withdraw = Withdraw the offer
desk-offers-title-field = What the member gets
desk-offers-title-hint = For example, One swim
desk-offers-price = Price
desk-offers-price-hint = One hour is one Time Credit.
desk-offers-audience = Who it is for
desk-offers-capacity = How many times it can be taken (optional)
desk-offers-capacity-hint = Leave the number blank for no limit.
desk-offers-capacity-limit = Number of times
desk-offers-capacity-period = Per
desk-offers-per-day = day
desk-offers-per-week = week
desk-offers-hours-open = Off-peak hours (optional)
desk-offers-hours-open-hint = Days and times, for example: mon,tue 09:00-12:00; sat 10:00-11:00. Leave blank for any time.
desk-offers-valid-from = First day
desk-offers-valid-to = Last day (optional)
desk-offers-valid-to-hint = Leave blank to run until you withdraw it.
desk-offers-error-title = Enter what the member gets
desk-offers-error-price = Enter the price in whole hours and minutes
desk-offers-error-audience = Choose who the offer is for
desk-offers-error-capacity = Enter the number of times as a whole number, 1 or more, or leave it blank
desk-offers-error-hours-open = Write the hours like mon,tue 09:00-12:00; sat 10:00-11:00
desk-offers-error-date = Enter a date
## Programme managers and administrators

nav-manage = Manage programme
nav-admin = Administration
manage-title = Manage a programme
manage-choose = Choose the programme to manage.
manage-lead = Everything you run for this programme.
manage-organisations = Organisations
manage-members = Members
manage-rules = Rules
manage-circulation = Credits in circulation
manage-import = Import a CSV file
manage-export = Export a CSV file
manage-reports = Reports
manage-any = Any
manage-filter = Filter
manage-save = Save changes
manage-yes = Yes
manage-no = No
manage-error-name = Enter a name of 1 to 200 characters
manage-error-email = Enter an email address, like name@example.org
manage-error-display_name = Enter the person's name, 1 to 200 characters
manage-error-password = Enter a password of at least 10 characters; a short sentence is easy to remember
manage-error-time_zone = Enter a time zone name, such as Europe/London
manage-error-exchange_overdraft_minutes = Enter the overdraft as a whole number of minutes, 0 for none
manage-org-name = Name
manage-org-kind = Kind of organisation
manage-org-kind-community_group = Community group
manage-org-kind-school = School
manage-org-kind-housing = Housing
manage-org-kind-health = Health service
manage-org-kind-social_care = Social care
manage-org-kind-library = Library
manage-org-kind-sports_and_leisure = Sports and leisure
manage-org-kind-arts_and_culture = Arts and culture
manage-org-kind-other = Other
manage-org-roles = Gives or accepts credits
manage-org-roles-both = Gives and accepts credits
manage-org-roles-earn = Gives credits for time (earn partner)
manage-org-roles-spend = Accepts credits (spend partner)
manage-org-status = Status
manage-org-status-active = Active
manage-org-status-suspended = Suspended
manage-org-filter-status = Status
manage-org-filter-role = Partners that
manage-org-filter-earn = Give credits
manage-org-filter-spend = Accept credits
manage-org-none = No organisation matches.
manage-org-postcode = Postcode (optional)
manage-org-contact-name = Contact name (optional)
manage-org-contact-hint = A contact needs an email address, a phone number or both.
manage-org-contact-email = Contact email (optional)
manage-org-contact-phone = Contact phone (optional)
manage-org-create = Add an organisation
manage-org-create-button = Add the organisation
manage-org-details = Details
manage-org-suspend-lead = A suspended organisation can neither give nor accept credits until it is reactivated.
manage-org-suspend-reason = Why is it suspended? (optional)
manage-org-suspend = Suspend the organisation
manage-org-reactivate = Reactivate the organisation
manage-org-back = Back to the organisations
manage-org-done-created = The organisation is added.
manage-org-done-saved = The changes are saved.
manage-org-done-suspended = The organisation is suspended.
manage-org-done-reactivated = The organisation is active again.
manage-org-done-staff-added = The staff member is added.
manage-org-done-staff-removed = The staff member is removed.
manage-staff = Staff
manage-staff-none = Nobody works here on the platform yet.
manage-staff-add = Add a staff member
manage-staff-remove = Remove
manage-staff-email = Email address
manage-staff-name = Name
manage-staff-password = Password
manage-staff-new-hint = Only for someone who does not sign in yet.
manage-staff-role = Role
manage-staff-role-coordinator = Coordinator
manage-staff-role-spend_staff = Spend desk staff
manage-staff-role-programme_manager = Programme manager
manage-staff-role-evaluator = Evaluator
manage-staff-error-role = Choose a role
manage-members-pending = Registrations waiting for a decision
manage-members-pending-none = No registration is waiting.
manage-members-registered = Registered on { $date }
manage-members-approve = Approve
manage-members-decline = Decline
manage-members-decline-reason = Why is the registration declined?
manage-members-error-reason = Say why the registration is declined
manage-members-approved = The registration is approved. The member can take part now.
manage-members-declined = The registration is declined.
manage-members-find = Find a member
manage-members-search = Member number or name
manage-members-search-hint = Part of a name, or the start of a member number.
manage-members-search-button = Search
manage-members-found = Members found
manage-members-none = No member matches.
manage-members-more = More members match. Type more of the name or number.
manage-members-number = Member number
manage-members-name = Name
manage-member-status-active = Active
manage-member-status-pending = Waiting for approval
manage-member-status-declined = Declined
manage-rules-in-force = Rules in force today, { $date }
manage-rules-history = Every version of the rules
manage-rules-from = From
manage-rules-current = in force
manage-rules-granularity = Time is recorded in steps of
manage-rules-daily-cap = Most time one member is credited in a day
manage-rules-claims = Members may claim hours themselves
manage-rules-overdraft = Exchange overdraft
manage-rules-overdraft-hint = In minutes (60 minutes is one credit). 0 for no overdraft.
manage-rules-no-overdraft = None
manage-rules-expiry = Credits expire after (months)
manage-rules-expiry-hint = Leave blank if credits never expire.
manage-rules-expiry-never = Never
manage-rules-expiry-months = { $n ->
    [one] After { $n } month
   *[other] After { $n } months
}
manage-rules-receipts = Credits spend partners receive
manage-rules-receipts-retire = Are retired at once
manage-rules-receipts-keep_to_reissue = Are kept to give again
manage-rules-change = Change the rules
manage-rules-change-lead = A change applies from the date you choose, today or later. Time already given keeps the rules of its day.
manage-rules-effective-from = Applies from
manage-rules-effective-from-hint = Today or a later date.
manage-rules-minutes-hint = In minutes.
manage-rules-change-button = Change the rules
manage-rules-changed = The change of rules is recorded.
manage-rules-error-date = Enter a date, like 2026-12-01
manage-rules-error-number = Enter a whole number
manage-rules-error-receipts = Choose what happens to the credits spend partners receive
manage-circulation-from = From
manage-circulation-to = To
manage-circulation-show = Show
manage-circulation-period = From { $from } to { $to }
manage-circulation-figure = Figure
manage-circulation-credits = Time Credits
manage-circulation-hours = Hours
manage-circulation-opening = Held at the start
manage-circulation-issued = Issued for time given
manage-circulation-reissued = Given again by partners
manage-circulation-redeemed = Spent
manage-circulation-gifted = Given as gifts
manage-circulation-exchanged = Exchanged in the time bank
manage-circulation-retired = Retired
manage-circulation-expired = Expired
manage-circulation-closing = Held at the end
manage-circulation-note = Held at the end = held at the start + issued − retired − expired. One Time Credit is one hour given.
manage-circulation-error-date = Enter a date, like 2026-12-01
manage-circulation-error-order = The start must not be after the end
manage-kind-members = Members
manage-kind-organisations = Organisations
manage-kind-contributions = Time given (contributions)
manage-kind-activities = Activities
manage-kind-redemptions = Credits spent
manage-kind-transfers = The ledger (every transfer)
manage-import-lead = Paste the CSV file, with its header row, into the box. A trial run checks every row and writes nothing.
manage-import-kind = What the file holds
manage-import-csv = Or paste the CSV text
manage-import-csv-hint = If you cannot choose the file, open it in a text editor, copy all of it and paste it here.
manage-import-dry-run = Trial run: check the file, write nothing
manage-import-dry-run-hint = Untick to import for real. If any row has a problem, nothing is written.
manage-import-button = Check or import
manage-import-error-kind = Choose what the file holds
manage-import-error-csv = Choose a CSV file, or paste its text
manage-import-error-rows = Some rows have problems: see the list of lines. Nothing was written.
manage-import-problems = { $n ->
    [one] { $n } problem found. Nothing was written.
   *[other] { $n } problems found. Nothing was written.
}
manage-import-would-create = { $n ->
    [one] The file is fine: { $n } row would be imported ({ $kind }). Nothing was written.
   *[other] The file is fine: { $n } rows would be imported ({ $kind }). Nothing was written.
}
manage-import-created = { $n ->
    [one] Imported { $n } row ({ $kind }).
   *[other] Imported { $n } rows ({ $kind }).
}
manage-import-replayed = { $n ->
    [one] This file was already imported ({ $n } row). Nothing new was written.
   *[other] This file was already imported ({ $n } rows). Nothing new was written.
}
manage-import-problems-caption = Problems, by line of the file
manage-import-line = Line
manage-import-problem = Problem
manage-export-lead = Download everything of one kind as a CSV file.
manage-export-kind = What to export
manage-export-button = Download the CSV file
manage-reports-evaluation = Evaluation dashboards
admin-title = Administration
admin-programmes = Programmes
admin-programmes-none = There is no programme yet.
admin-programme-name = Name
admin-programme-locality = Locality
admin-programme-time-zone = Time zone
admin-programme-time-zone-hint = Such as Europe/London.
admin-programme-language = Main language
admin-programme-created = Opened
admin-programme-create = Create a programme
admin-staff-create = Create a staff sign-in
admin-staff-lead = A new sign-in for a programme manager or an evaluator of one programme.
admin-staff-programme = Programme
admin-staff-error-programme = Choose a programme
admin-staff-error-taken = Someone already signs in with this email address
admin-done-programme = The programme is created.
admin-done-staff = The staff sign-in is created.

## Administrators: programme staff
admin-programme-staff-title = Programme staff
admin-programme-staff-link = Staff
admin-programme-staff-lead = Programme managers and evaluators of this programme. Give a role to someone who already signs in, or take one away when they no longer need it.
admin-programme-staff-none = Nobody has a role in this programme yet.
admin-programme-staff-revoke = Revoke
admin-programme-staff-grant = Give a role
admin-programme-staff-email-hint = The email address they sign in with.
admin-programme-staff-error-no-sign-in = Nobody signs in with this email address; create their staff sign-in on the administration page first
admin-programme-staff-done-granted = The role is given.
admin-programme-staff-done-revoked = The role is taken away.
admin-programme-staff-back = Back to administration
## evaluation dashboards and funder report
nav-reports = Reports
reports-title = Evaluation reports
reports-choose-programme = Choose a programme.
reports-reach = Reach
reports-engagement = Engagement
reports-outcomes = Outcomes
reports-funder = Funder report
reports-tabs = Reports
reports-filter-from = From
reports-filter-to = To
reports-filter-date-hint = Dates such as 2026-04-01. Leave empty for the whole time.
reports-filter-organisation = Organisation
reports-filter-level = Co-production level
reports-filter-mode = Co-production mode
reports-filter-any = Any
reports-filter-show = Show figures
reports-level-individual = Individual
reports-level-group = Group
reports-level-collective = Collective
reports-mode-co_design = Co-design
reports-mode-co_delivery = Co-delivery
reports-mode-co_governance = Co-governance
reports-mode-peer_support = Peer support
reports-mode-community_action = Community action
reports-error-date = Enter a date such as 2026-04-01
reports-error-order = The start of the period must be on or before its end
reports-error-organisation = Choose an organisation from the list
reports-error-choice = Choose one of the options in the list
reports-period-between = From { $from } to { $to }
reports-period-from = From { $from }
reports-period-to = Up to { $to }
reports-period-all = The whole time the programme has run
reports-computed-at = Figures as of { $moment }. A report is kept for a short while, so what was recorded in the last minute may not show yet.
reports-disclosure = Disclosure control: figures about fewer than { $threshold } people, and any figure from which one of them could be worked out, are replaced by “{ $marker }”. This keeps every participant from being identified.
reports-columns-note = Table titles and column names are those of the CSV files, so a download reads the same as the page. Hours are written as hours:minutes.
reports-download-csv = Download CSV
reports-no-tables = There are no figures for this choice yet.
reports-funder-period = Period
reports-funder-computed = Figures as of
reports-funder-editions = Data editions
reports-funder-editions-text = English Indices of Deprivation 2019 (IMD 2019); Lower layer Super Output Areas, 2011 boundaries (LSOA 2011).
reports-chart-participants = Participants (%)
reports-chart-area = Area LSOAs (%)
reports-chart-active = Active members
reports-chart-reach-title = Participants and the area's neighbourhoods by deprivation decile
reports-chart-reach-desc = Bars for each decile, 1 the most deprived: the share of participants beside the share of the area's LSOAs. A cross marks a suppressed figure. The table below gives the numbers.
reports-chart-active-title = Active members per month
reports-chart-active-desc = One bar per month for the members who gave time. A cross marks a suppressed figure. The table below gives the numbers.
reports-chart-outcomes-title = Mean change from baseline with 95% confidence intervals
reports-chart-outcomes-desc = A dot for each mean change and a line for its 95% confidence interval, against a line at no change. A cross marks a suppressed figure. The table below gives the numbers.
reports-funder-pdf = Download this report as a PDF
org-org-activity-postcode-hint = For example PE15 8AA. Leave it empty if the activity happens at your organisation's address.
org-activity-error-postcode = Enter a UK postcode like PE15 8AA, or leave it empty
reports-rows-left-out = { $n ->
    [one] One row in which every figure is hidden is left out here. The CSV file has every row.
   *[other] { $n } rows in which every figure is hidden are left out here. The CSV file has every row.
}
