# Polski: słowa na stronach. Ten plik ma każdą wiadomość z pliku angielskiego.
# Krótkie, proste zdania; po każdym problemie powiedz, co zrobić.

language-name = Polski

## Kwoty i daty

n-credits = { $n ->
    [one] { $n } kredyt czasu
    [few] { $n } kredyty czasu
    [many] { $n } kredytów czasu
   *[other] { $n } kredytu czasu
}
n-hours = { $n ->
    [one] { $n } godzina
    [few] { $n } godziny
    [many] { $n } godzin
   *[other] { $n } godziny
}
n-minutes = { $n ->
    [one] { $n } minuta
    [few] { $n } minuty
    [many] { $n } minut
   *[other] { $n } minuty
}
and = { $a } i { $b }
short-credits = { $n ->
    [one] { $n } kredyt
    [few] { $n } kredyty
    [many] { $n } kredytów
   *[other] { $n } kredytu
}
short-minutes = { $n } min
date-long = { $day } { $month } { $year }
date-time = { $date }, { $time }
month-1 = stycznia
month-2 = lutego
month-3 = marca
month-4 = kwietnia
month-5 = maja
month-6 = czerwca
month-7 = lipca
month-8 = sierpnia
month-9 = września
month-10 = października
month-11 = listopada
month-12 = grudnia

## Każda strona

site-name = Kredyty Czasu
skip-to-content = Przejdź do treści
sign-out = Wyloguj się
sign-in = Zaloguj się
language-switch = Język
language-change = Zmień język na { $name }
nav-label = Menu główne
footer-line = Jedna godzina pomocy to jeden kredyt czasu.
title-suffix = Kredyty Czasu
error-prefix = Błąd:
there-is-a-problem = Wystąpił problem
back-home = Przejdź do strony głównej

nav-home = Start
nav-activities = Znajdź zajęcia
nav-claims = Zgłoś godziny
nav-card = Moja karta
nav-spend = Wydaj kredyty
nav-give = Podaruj kredyty
nav-timebank = Bank czasu
nav-statement = Moja historia
nav-details = Moje dane
nav-sessions = Spotkania
nav-claims-to-decide = Zgłoszenia do decyzji
nav-desk = Punkt wydawania

## Strona startowa

landing-title = Kredyty Czasu
landing-lead = Poświęć godzinę swojego czasu dla społeczności i zdobądź jeden kredyt czasu. Wydaj go na coś, co lubisz, albo podaruj komuś innemu.
landing-sign-in = Zaloguj się, aby zobaczyć swoje kredyty czasu

## Logowanie

sign-in-title = Logowanie
sign-in-login = E-mail lub numer członkowski
sign-in-login-hint = Twój numer członkowski to 7 cyfr na Twojej karcie.
sign-in-secret = Hasło lub PIN
sign-in-button = Zaloguj się
sign-in-error-timed-out = Strona wygasła. Wpisz swoje dane ponownie.
sign-in-error-login-missing = Wpisz adres e-mail lub numer członkowski
sign-in-error-secret-missing = Wpisz hasło lub PIN
sign-in-error-wrong = E-mail, numer członkowski, hasło lub PIN są nieprawidłowe. Sprawdź je i spróbuj ponownie.
sign-in-error-too-many = Zbyt wiele prób. Poczekaj { $minutes ->
    [one] { $minutes } minutę
    [few] { $minutes } minuty
    [many] { $minutes } minut
   *[other] { $minutes } minuty
} i spróbuj ponownie albo poproś koordynatora o pomoc.

## Strona główna

home-title = Twoje kredyty czasu
home-hello = Dzień dobry, { $name }
home-balance-heading = Twoje kredyty czasu
home-balance = Masz { $amount }.
home-balance-hours = To { $hours } podarowanego czasu.
home-balance-none = Poświęć godzinę lokalnej grupie lub usłudze, aby zdobyć swój pierwszy kredyt czasu.
home-number = Twój numer członkowski to { $number }.
home-next-sessions = Twoje najbliższe spotkania
home-no-sessions = Nie jesteś zapisany na żadne spotkanie. Znajdź zajęcia, do których chcesz dołączyć.
home-waiting = Jesteś na liście oczekujących.
home-latest = Ostatnie zmiany
home-see-statement = Zobacz całą historię
home-roles = Twoje role
home-members-of = Członkowie programu { $programme }
home-no-members = Nie ma jeszcze członków.
home-members-caption = { $shown ->
    [one] { $shown } członek
    [few] { $shown } członków
    [many] { $shown } członków
   *[other] { $shown } członka
}, według nazwiska
home-members-caption-partial = Pierwszych { $shown } z { $total } członków, według nazwiska
role-member = Członek programu { $place }
role-coordinator = Koordynator w { $place }
role-spend-staff = Obsługa punktu wydawania w { $place }
role-manager = Kierownik programu { $place }
role-evaluator = Ewaluator programu { $place }
role-administrator = Administrator: { $place }
role-platform = cała platforma

## Historia konta

statement-title = Twoja historia
statement-empty = Na Twoim koncie nie było jeszcze żadnych zmian.
statement-caption-latest = Ostatnie zmiany ({ $n }), od najnowszej
statement-caption-all = Wszystkie zmiany, od najnowszej
statement-date = Data
statement-what = Co
statement-in = Wpływ
statement-out = Wydatek
statement-balance = Saldo
statement-download = Pobierz całą historię jako arkusz (CSV)
statement-number = Numer
statement-name = Imię i nazwisko
kind-issue = Kredyty za podarowany czas
kind-redeem = Wydane
kind-gift-in = Otrzymany prezent
kind-gift-out = Podarowane
kind-exchange-in = Bank czasu: pomogłeś
kind-exchange-out = Bank czasu: ktoś Ci pomógł
kind-retire = Wycofane przez program
kind-expire = Wygasłe
kind-reversal = Korekta
kind-redeem-in = Kredyty wydane u Was

## Moja karta

card-title = Moja karta
card-lead = Pokaż ją w punkcie wydawania. Obsługa może wpisać Twój numer albo zeskanować kod.
card-number = Numer członkowski
card-qr = Kod QR z Twoim numerem członkowskim
card-print = Wydrukuj tę stronę, aby mieć kartę papierową.

## Zajęcia

activities-title = Znajdź zajęcia
activities-filter = Filtruj zajęcia
activities-place = Miejsce
activities-place-hint = Miejscowość, ulica lub budynek, na przykład March.
activities-day = Dzień
activities-any-day = Dowolny dzień
activities-organisation = Organizacja
activities-any-organisation = Dowolna organizacja
activities-level = Jak bierzesz udział
activities-mode = Rodzaj zajęć
activities-any = Dowolne
activities-apply = Pokaż zajęcia
activities-none = Żadne zajęcia nie pasują. Spróbuj z mniejszą liczbą filtrów.
activities-count = { $n ->
    [one] { $n } zajęcia
    [few] { $n } zajęcia
    [many] { $n } zajęć
   *[other] { $n } zajęcia
}
activity-by = Prowadzi: { $organisation }
activity-where = Gdzie
activity-access = Dostępność
activity-usual = Zwykle trwa { $hours }.
activity-earns = Za każdą podarowaną godzinę dostajesz jeden kredyt czasu.
activity-no-earn = Za te zajęcia nie dostaje się kredytów czasu.
activity-sessions = Spotkania
activity-no-sessions = Nie zaplanowano jeszcze spotkań.
session-when = od { $start } do { $end }
session-places = { $free ->
    [0] Brak miejsc: możesz zapisać się na listę oczekujących.
    [one] Zostało { $free } miejsce
    [few] Zostały { $free } miejsca
    [many] Zostało { $free } miejsc
   *[other] Zostało { $free } miejsca
}
session-sign-up = Zapisz się
session-join-waiting = Zapisz się na listę oczekujących
session-cancel = Zrezygnuj z miejsca
session-you-are-in = Masz miejsce.
session-you-are-waiting = Jesteś na liście oczekujących.
session-signed-up = Jesteś zapisany. Do zobaczenia!
session-waiting-joined = Brak miejsc, więc jesteś na liście oczekujących. Dostaniesz miejsce, jeśli ktoś zrezygnuje.
session-cancelled = Twoje miejsce zostało anulowane.
day-1 = poniedziałek
day-2 = wtorek
day-3 = środa
day-4 = czwartek
day-5 = piątek
day-6 = sobota
day-7 = niedziela
level-individual = Samodzielnie
level-group = W grupie
level-collective = Z całą społecznością
mode-co_design = Projektowanie usługi
mode-co_delivery = Pomoc w prowadzeniu usługi
mode-co_governance = Współdecydowanie
mode-peer_support = Wsparcie osób w podobnej sytuacji
mode-community_action = Działanie na rzecz społeczności

## Zgłoszenia godzin

claims-title = Zgłoś godziny
claims-lead = Powiedz nam o czasie, który podarowałeś. Koordynator to sprawdzi, a potem dostaniesz kredyty.
claims-activity = Zajęcia
claims-activity-choose = Wybierz zajęcia
claims-date = Data, kiedy podarowałeś czas
claims-date-hint = Na przykład 26 11 2026.
claims-day = Dzień
claims-month = Miesiąc
claims-year = Rok
claims-hours = Godziny
claims-minutes = Minuty
claims-time-hint = Co { $step } minut.
claims-note = Co robiłeś? (nieobowiązkowe)
claims-submit = Wyślij zgłoszenie
claims-sent = Zgłoszenie zostało wysłane. Koordynator wkrótce je sprawdzi.
claims-mine = Twoje zgłoszenia
claims-none = Nie zgłosiłeś jeszcze żadnych godzin.
claims-status = Stan
claims-status-pending = Czeka na decyzję
claims-status-confirmed = Potwierdzone
claims-status-rejected = Nieprzyjęte
claims-reason = Powód
claims-error-activity = Wybierz zajęcia, którym podarowałeś czas
claims-error-date = Wpisz prawdziwą datę, na przykład 26 11 2026
claims-error-time = Wpisz, ile czasu podarowałeś, w godzinach i minutach

## Podarunki

give-title = Podaruj kredyty
give-lead = Podaruj część swoich kredytów czasu innemu członkowi albo wspólnej puli grupy.
give-to = Numer członkowski tej osoby
give-to-hint = 7 cyfr na jej karcie.
give-amount = Ile godzin
give-reason = Wiadomość (nieobowiązkowa)
give-submit = Podaruj
give-done = Podarowałeś { $amount }.
give-error-to = Wpisz 7-cyfrowy numer członkowski tej osoby
give-error-amount = Wpisz, ile chcesz podarować, w godzinach i minutach

## Problemy pokazywane na stronach

problem-not-found = Pod tym adresem nie ma strony. Sprawdź go albo przejdź do strony startowej.
problem-forbidden = Nie możesz tego zrobić ze swojego konta. Zapytaj koordynatora, jeśli uważasz, że powinieneś móc.
problem-timed-out = Strona wygasła. Wróć, odśwież stronę i spróbuj ponownie.
problem-generic = Coś poszło nie tak. Spróbuj ponownie za kilka minut.
problem-title-not-found = Nie znaleziono strony
problem-title-forbidden = Nie możesz tego zrobić
problem-title-server = Przepraszamy, coś poszło nie tak

## Odmowy opisane na stronach

refusal-future_date = Ta data jest w przyszłości. Wpisz datę, kiedy podarowałeś czas.
refusal-not_a_whole_number_of_steps = Wpisz czas w pełnych krokach, na przykład 15, 30 lub 45 minut.
refusal-daily_cap_exceeded = To więcej czasu, niż można zaliczyć za jeden dzień. Sprawdź godziny albo zapytaj koordynatora.
refusal-claims_not_allowed = Te zajęcia nie przyjmują zgłoszeń od członków. Poproś koordynatora, aby zapisał Twój czas.
refusal-activity_does_not_earn = Za te zajęcia nie dostaje się kredytów czasu. Wybierz inne zajęcia.
refusal-insufficient_credits = Nie masz na to wystarczająco kredytów czasu.
refusal-not_found = Nie udało się tego znaleźć. Sprawdź numer i spróbuj ponownie.

## Koordynatorzy

sessions-title = Spotkania
sessions-today = Dzisiaj
sessions-later = Wkrótce
sessions-none = Brak spotkań.
sessions-places = Zajęte miejsca: { $taken } z { $capacity }, oczekujących: { $waiting }
sessions-register = Sprawdź obecność
sessions-see-register = Zobacz, kto przyjdzie
register-title = Lista obecności
register-lead = Zaznacz, kto przyszedł. Każdy dostaje { $default }, chyba że zmienisz jego minuty.
register-caption = Kto się zapisał
register-attended = Obecny
register-came = { $name } przyszedł
register-minutes = Podarowane minuty
register-minutes-for = Minuty podarowane przez: { $name }
register-confirm = Zatwierdź listę i przyznaj kredyty
register-confirmed = Lista obecności jest zatwierdzona. Wszyscy obecni mają swoje kredyty czasu.
register-recorded = Zaliczony czas
register-not-started = To spotkanie jeszcze się nie zaczęło. Wróć, gdy się zacznie, aby sprawdzić obecność.
register-nobody = Nikt nie zapisał się na to spotkanie.
register-back = Wróć do spotkań
register-error-minutes = Wpisz minuty podarowane przez: { $name }, jako liczbę całkowitą
decide-title = Zgłoszenia do decyzji
decide-none = Nie ma zgłoszeń czekających na decyzję.
decide-confirm = Potwierdź
decide-reject = Nie przyjmuj
decide-reason = Dlaczego nie? Członek zobaczy ten powód.
decide-confirmed = Zgłoszenie jest potwierdzone, a kredyty przyznane.
decide-rejected = Zgłoszenie nie zostało przyjęte. Członek widzi powód.
decide-error-reason = Napisz, dlaczego zgłoszenie nie jest przyjęte, aby członek wiedział
refusal-session_not_started = To spotkanie jeszcze się nie zaczęło. Sprawdź obecność, gdy się zacznie.
refusal-register_already_confirmed = Ta lista obecności jest już zatwierdzona.

## Punkt wydawania

desk-title = Punkt wydawania
desk-find = Numer członkowski lub kod z karty
desk-find-hint = Wpisz 7 cyfr z karty albo zeskanuj kod.
desk-find-button = Znajdź członka
desk-balance = Ma { $credits } ({ $hours }).
desk-choose = Wybierz, na co wydaje kredyty
desk-take = Pobierz { $price } za: { $offer }
desk-not-enough = Za mało kredytów
desk-no-offers = Dziś nie masz otwartych ofert. Kierownik lub obsługa punktu może je dodać.
desk-today = Dzisiaj w tym punkcie
desk-none-today = Dzisiaj jeszcze nic.
desk-time = Godzina
desk-member = Członek
desk-offer = Oferta
desk-price = Kredyty
desk-error-member = Nie możemy znaleźć tego członka. Sprawdź numer na karcie i spróbuj ponownie.
receipt-title = Gotowe
receipt-lead = Kredyty zostały pobrane. Wydaj członkowi: { $offer }.
receipt-paid = Zapłacono
receipt-balance-now = Saldo teraz
receipt-next = Następny członek

## Bank czasu

category-care_and_companionship = Opieka i towarzystwo
category-cooking_and_food = Gotowanie i jedzenie
category-gardening_and_outdoors = Ogród i praca na zewnątrz
category-diy_and_repairs = Majsterkowanie i naprawy
category-transport_and_errands = Transport i sprawunki
category-digital_and_admin = Komputery, telefony i formularze
category-teaching_and_tutoring = Nauczanie i korepetycje
category-arts_and_crafts = Sztuka i rękodzieło
category-sport_and_fitness = Sport i ruch
category-languages_and_translation = Języki i tłumaczenia
category-childcare_and_families = Dzieci i rodziny
category-events_and_community = Wydarzenia i społeczność
category-other = Coś innego
timebank-title = Bank czasu
timebank-lead = Wymieniaj się czasem z sąsiadami: godzina pomocy to jeden kredyt czasu, niezależnie od rodzaju pomocy.
timebank-search = Szukaj w banku czasu
timebank-kind = Oferty czy prośby
timebank-any-kind = Jedno i drugie
timebank-kind-offer = Oferta: mogę pomóc
timebank-kind-request = Prośba: potrzebuję pomocy
timebank-category = Rodzaj pomocy
timebank-place = Miejsce
timebank-search-button = Szukaj
timebank-results = Co ludzie oferują i czego potrzebują
timebank-none = Nic nie pasuje. Spróbuj z mniejszą liczbą filtrów.
timebank-by = { $name }
timebank-propose = Zaproponuj wymianę
timebank-mine = Twoje oferty i prośby
timebank-mine-none = Nic jeszcze nie opublikowałeś.
timebank-post = Opublikuj ofertę lub prośbę
timebank-post-kind = Co publikujesz?
timebank-title-field = Tytuł
timebank-title-hint = Na przykład: Podwiezienie do przychodni w March.
timebank-description = Więcej szczegółów (nieobowiązkowe)
timebank-post-button = Opublikuj
timebank-proposals = Twoje wymiany
timebank-proposals-none = Nie ma jeszcze wymian.
timebank-you-helped = Pomogłeś osobie { $name } przez { $time }.
timebank-helped-you = { $name } pomógł Ci przez { $time }.
timebank-accept = Przyjmij i zapłać
timebank-decline = Odrzuć
timebank-withdraw = Wycofaj
timebank-status-open = Czeka na odpowiedź
timebank-status-accepted = Przyjęta i opłacona
timebank-status-declined = Odrzucona
timebank-status-withdrawn = Wycofana
timebank-status-expired = Wygasła
timebank-listed = Twoje ogłoszenie zostało opublikowane.
timebank-proposed = Propozycja została wysłana. Nic nie jest płacone, dopóki druga osoba jej nie przyjmie.
timebank-accepted = Przyjęto. Kredyty zostały przekazane.
timebank-declined = Odrzucono.
timebank-withdrawn = Wycofano.
timebank-error-kind = Wybierz, czy oferujesz pomoc, czy o nią prosisz
timebank-error-title = Wpisz krótki tytuł
timebank-error-direction = Wybierz, kto komu pomógł
propose-title = Zaproponuj wymianę
propose-lead = Nic nie jest płacone, dopóki druga osoba nie przyjmie propozycji.
propose-to = Numer członkowski drugiej osoby
propose-direction = Kto komu pomógł?
propose-helper-bills = Ja pomogłem: ta osoba płaci mnie
propose-helped-pays = Ta osoba mi pomogła: ja płacę jej
propose-note = Na czym polegała pomoc? (nieobowiązkowe)
propose-button = Wyślij propozycję

## Wydawanie

spend-title = Wydaj swoje kredyty
spend-lead = Pokaż kartę w punkcie na miejscu. Obsługa pobierze kredyty, gdy przyjdziesz.
spend-none = Na razie nie ma na co wydać kredytów.
spend-not-yet = Potrzebujesz więcej kredytów na tę ofertę
audience-adult = Dla dorosłych
audience-child = Dla dzieci
audience-family = Dla rodzin

## Moje dane

details-title = Moje dane
details-language = Język strony
details-skills = Co mogę zaoferować
details-skills-text = Co jeszcze mogę zaoferować (nieobowiązkowe)
details-interests = Co mnie interesuje
details-interests-text = Co jeszcze mnie interesuje (nieobowiązkowe)
details-phone = Numer telefonu (nieobowiązkowe)
details-email = Adres e-mail (nieobowiązkowe)
details-save = Zapisz moje dane
details-saved = Twoje dane zostały zapisane.

## Getting back in: reset codes
reports-wave-link = Zobacz zamiast tego zmianę po { $months } miesiącach
org-members-pages = Strony listy członków
org-members-first-page = Pierwsza strona
org-members-next-page = Następna strona członków
manage-import-file = Plik CSV
manage-import-file-hint = Wybierz plik na swoim komputerze. Możesz też wkleić jego treść w pole poniżej.
admin-staff-reset = Pracownik nie pamięta hasła
admin-staff-reset-link = Przekaż mu kod resetowania
org-members-reset-code = Przekaż kod resetowania PIN-u
sign-in-forgotten = Nie pamiętasz PIN-u lub hasła?
reset-title = Wybierz nowy PIN lub hasło
reset-lead = Poproś koordynatora swojej grupy o kod resetowania. Może go przekazać osobiście lub przez telefon.
reset-lead-staff = Pracownicy: poproście administratora programu o kod.
reset-code = Kod resetowania
reset-code-hint = 8 cyfr. Kod działa jeden raz, przez 24 godziny.
reset-new-secret = Nowy PIN lub hasło
reset-new-secret-hint = Jeśli logujesz się numerem członkowskim, wybierz PIN z 4 do 6 cyfr. Jeśli logujesz się adresem e-mail, wybierz hasło o długości co najmniej 10 znaków.
reset-again = Wpisz to jeszcze raz
reset-button = Zapisz i zaloguj się
reset-back-to-sign-in = Wróć do logowania
reset-error-code-missing = Wpisz otrzymany kod resetowania
reset-error-secret-missing = Wpisz nowy PIN lub hasło
reset-error-again = Wpisy się różnią. Wpisz nowy PIN lub hasło ponownie w obu polach.
reset-error-pin-rule = Wybierz PIN z { $min } do { $max } cyfr, używając tylko cyfr
reset-error-password-rule = Wybierz hasło o długości co najmniej { $chars } znaków. Krótkie zdanie łatwo zapamiętać.
refusal-reset_code_not_valid = Ten kod nie działa. Sprawdź numer członkowski lub e-mail oraz kod. Kod działa jeden raz, przez 24 godziny. Jeśli nadal nie działa, poproś o nowy kod.
reset-code-title = Przekaż kod resetowania
reset-code-member-lead = { $name } użyje kodu, aby wybrać nowy PIN (lub pierwszy PIN).
reset-code-staff-lead = Pracownik użyje kodu, aby wybrać nowe hasło.
reset-code-email = Adres e-mail pracownika
reset-code-error-email = Nie ma konta pracownika z tym adresem e-mail. Sprawdź adres.
reset-code-check = Zanim przekażesz kod, upewnij się, z kim rozmawiasz. Każdy wcześniej przekazany kod przestaje działać.
reset-code-button = Przekaż kod
reset-code-for = Kod resetowania dla: { $name }
reset-code-until = Działa jeden raz, do { $time }.
reset-code-how-pin = Przekaż kod. Na stronie logowania należy wybrać „Nie pamiętasz PIN-u lub hasła?”, wpisać numer członkowski, kod i nowy PIN.
reset-code-how-password = Przekaż kod. Na stronie logowania należy wybrać „Nie pamiętasz PIN-u lub hasła?”, wpisać adres e-mail, kod i nowe hasło.
reset-code-once = Ten kod nie zostanie pokazany ponownie. Jeśli zaginie, przekaż nowy.
reset-email-title = Otrzymaj kod e-mailem
reset-email-lead = Jeśli logujesz się adresem e-mail, możemy wysłać na niego kod.
reset-email-address = Twój adres e-mail
reset-email-button = Wyślij mi kod
reset-email-sent = Jeśli jakieś konto używa adresu { $email }, wysłaliśmy na niego kod resetowania. Działa jeden raz, przez 24 godziny. Jeśli nie dotrze, sprawdź folder spam.
reset-email-error-address = Wpisz adres e-mail, np. imie@example.org
reset-email-error-not-sent = Nie udało się teraz wysłać e-maila. Spróbuj później albo poproś administratora o kod.
reset-email-subject = Twój kod resetowania Time Credits
reset-email-body = Dzień dobry, { $name },

    Twój kod resetowania to: { $code }

    Działa jeden raz, do { $time } (UTC). Na stronie logowania wybierz „Nie pamiętasz PIN-u lub hasła?” i wpisz swój e-mail, ten kod oraz nowe hasło.

    Jeśli nie prosisz o kod, zignoruj tę wiadomość. Twoje hasło się nie zmieniło.
## Staff pages: organisation members, acting for a member, activities, organisation statement, desk offers

nav-org-members = Członkowie
nav-org-activities = Zarządzaj aktywnościami
nav-org-statement = Wyciąg organizacji
nav-desk-offers = Oferty
proxy-banner = Działasz w imieniu: { $name } ({ $number })
proxy-stop = Przestań działać w jej imieniu
org-choose = Wybierz organizację
org-members-title = Członkowie
org-members-approved = Rejestracja została zatwierdzona. Ta osoba może już brać udział.
org-members-declined = Rejestracja została odrzucona.
org-members-error-name = Wpisz imię i nazwisko osoby
org-members-error-email = Wpisz adres e-mail, np. imie@example.org, albo zostaw puste
org-members-error-phone = Wpisz numer telefonu cyframi albo zostaw puste
org-members-error-reason = Napisz, dlaczego rejestracja jest odrzucona
org-members-registered = Zarejestrowano: { $name }
org-members-registered-once = Przekaż tej osobie numer i PIN teraz. PIN jest pokazywany tylko ten jeden raz.
org-members-pin = PIN
org-members-print-card = Wydrukuj kartę
org-members-pending = Rejestracje czekające na decyzję
org-members-pending-none = Żadna rejestracja nie czeka.
org-members-registered-on = Zarejestrowano { $date }
org-members-approve = Zatwierdź
org-members-decline = Odrzuć
org-members-decline-reason = Dlaczego odrzucasz?
org-members-list = Członkowie organizacji
org-members-none = Organizacja nie ma jeszcze członków.
org-members-caption = Członkowie według nazwiska
org-members-actions = Co możesz zrobić
org-members-act-for = Działaj w jej imieniu
org-members-register = Zarejestruj kogoś
org-members-register-lead = Dla osoby, która poprosiła cię o rejestrację. Dostanie numer członkowski i PIN do logowania.
org-members-name = Imię i nazwisko
org-members-register-button = Zarejestruj
org-card-title = Karta: { $name }
org-card-lead = Wydrukuj tę stronę i przekaż kartę tej osobie. Numer i kod należą do niej.
org-card-qr = Kod QR z numerem członkowskim
org-card-back = Wróć do listy członków
org-statement-title = Wyciąg organizacji
org-statement-balance = Organizacja ma { $credits } ({ $hours }).
org-statement-empty = Na koncie organizacji nie było jeszcze żadnych ruchów.
org-statement-download = Pobierz cały wyciąg jako arkusz (CSV)
org-activities-title = Zarządzaj aktywnościami
org-activities-none = Organizacja nie ma jeszcze aktywności.
org-activities-edit = Zmień i dodaj terminy
org-activities-new = Utwórz aktywność
org-activities-create = Utwórz aktywność
org-activity-error-title = Wpisz nazwę aktywności
org-activity-error-level = Wybierz, jak ludzie biorą udział
org-activity-error-mode = Wybierz rodzaj pomocy
org-activity-error-duration = Wpisz zwykły czas trwania w pełnych godzinach i minutach
org-activity-title-field = Nazwa aktywności
org-activity-description = Co ludzie robią
org-activity-level = Jak ludzie biorą udział
org-activity-mode = Rodzaj pomocy
org-activity-place = Gdzie się odbywa (nieobowiązkowe)
org-activity-accessibility = Informacje o dostępności (nieobowiązkowe)
org-activity-duration = Ile zwykle trwa
org-activity-earns = Za poświęcony czas przysługują kredyty czasu
org-activity-places = Miejsca: { $n }
org-activity-created = Aktywność została utworzona. Dodaj poniżej jej terminy.
org-activity-saved = Aktywność została zapisana.
org-activity-session-added = Termin został dodany.
org-activity-back = Wróć do aktywności
org-activity-sessions = Najbliższe terminy
org-activity-sessions-none = Nie zaplanowano żadnych terminów.
org-activity-add-session = Dodaj termin
org-activity-add-session-button = Dodaj termin
org-activity-edit = Zmień aktywność
org-activity-save = Zapisz aktywność
org-session-date = Data
org-session-start = Początek
org-session-end = Koniec
org-session-places = Liczba miejsc
org-session-error-date = Wpisz datę terminu
org-session-error-time = Wpisz godzinę, np. 09:30
org-session-error-places = Wpisz liczbę miejsc jako liczbę całkowitą, co najmniej 1
offer-not-available-now = Teraz niedostępne — dostępne { $hours }
desk-offers-title = Oferty
desk-offers-none = Nie masz jeszcze ofert.
desk-offers-from = Od { $date }
desk-offers-is-withdrawn = Wycofana
desk-offers-edit = Zmień lub wycofaj
desk-offers-new = Opublikuj nową ofertę
desk-offers-publish = Opublikuj ofertę
desk-offers-published = Oferta została opublikowana.
desk-offers-saved = Oferta została zapisana.
desk-offers-withdrawn = Oferta została wycofana. Członkowie nie mogą już na nią wydawać kredytów.
desk-offers-back = Wróć do ofert
desk-offers-save = Zapisz ofertę
desk-offers-withdraw-heading = Wycofaj ofertę
desk-offers-withdraw-lead = Członkowie nie będą mogli już na nią wydawać kredytów. Tego nie da się cofnąć.
desk-offers-withdraw = Wycofaj ofertę
desk-offers-title-field = Co dostaje członek
desk-offers-title-hint = Na przykład: jedno wejście na basen
desk-offers-price = Cena
desk-offers-price-hint = Jedna godzina to jeden kredyt czasu.
desk-offers-audience = Dla kogo
desk-offers-capacity = Ile razy można skorzystać (nieobowiązkowe)
desk-offers-capacity-hint = Zostaw liczbę pustą, jeśli nie ma limitu.
desk-offers-capacity-limit = Liczba razy
desk-offers-capacity-period = Na
desk-offers-per-day = dzień
desk-offers-per-week = tydzień
desk-offers-hours-open = Godziny poza szczytem (nieobowiązkowe)
desk-offers-hours-open-hint = Dni i godziny, np.: mon,tue 09:00-12:00; sat 10:00-11:00 (dni po angielsku). Zostaw puste, jeśli o każdej porze.
desk-offers-valid-from = Pierwszy dzień
desk-offers-valid-to = Ostatni dzień (nieobowiązkowe)
desk-offers-valid-to-hint = Zostaw puste, aby oferta trwała do wycofania.
desk-offers-error-title = Wpisz, co dostaje członek
desk-offers-error-price = Wpisz cenę w pełnych godzinach i minutach
desk-offers-error-audience = Wybierz, dla kogo jest oferta
desk-offers-error-capacity = Wpisz liczbę razy jako liczbę całkowitą, co najmniej 1, albo zostaw puste
desk-offers-error-hours-open = Wpisz godziny tak: mon,tue 09:00-12:00; sat 10:00-11:00
desk-offers-error-date = Wpisz datę
## Programme managers and administrators

nav-manage = Zarządzaj programem
nav-admin = Administracja
manage-title = Zarządzanie programem
manage-choose = Wybierz program, którym chcesz zarządzać.
manage-lead = Wszystko, czym zarządzasz w tym programie.
manage-organisations = Organizacje
manage-members = Uczestnicy
manage-rules = Zasady
manage-circulation = Kredyty w obiegu
manage-import = Import pliku CSV
manage-export = Eksport pliku CSV
manage-reports = Raporty
manage-any = Dowolne
manage-filter = Filtruj
manage-save = Zapisz zmiany
manage-yes = Tak
manage-no = Nie
manage-error-name = Wpisz nazwę o długości od 1 do 200 znaków
manage-error-email = Wpisz adres e-mail, na przykład imie@example.org
manage-error-display_name = Wpisz imię i nazwisko tej osoby (od 1 do 200 znaków)
manage-error-password = Wpisz hasło o długości co najmniej 10 znaków; krótkie zdanie łatwo zapamiętać
manage-error-time_zone = Wpisz nazwę strefy czasowej, na przykład Europe/Warsaw
manage-error-exchange_overdraft_minutes = Wpisz debet jako liczbę całkowitą minut, 0 oznacza brak debetu
manage-org-name = Nazwa
manage-org-kind = Rodzaj organizacji
manage-org-kind-community_group = Grupa lokalna
manage-org-kind-school = Szkoła
manage-org-kind-housing = Mieszkalnictwo
manage-org-kind-health = Ochrona zdrowia
manage-org-kind-social_care = Pomoc społeczna
manage-org-kind-library = Biblioteka
manage-org-kind-sports_and_leisure = Sport i rekreacja
manage-org-kind-arts_and_culture = Sztuka i kultura
manage-org-kind-other = Inna
manage-org-roles = Przyznaje czy przyjmuje kredyty
manage-org-roles-both = Przyznaje i przyjmuje kredyty
manage-org-roles-earn = Przyznaje kredyty za czas (partner przyznający)
manage-org-roles-spend = Przyjmuje kredyty (partner przyjmujący)
manage-org-status = Stan
manage-org-status-active = Aktywna
manage-org-status-suspended = Zawieszona
manage-org-filter-status = Stan
manage-org-filter-role = Partnerzy, którzy
manage-org-filter-earn = Przyznają kredyty
manage-org-filter-spend = Przyjmują kredyty
manage-org-none = Żadna organizacja nie pasuje.
manage-org-postcode = Kod pocztowy (nieobowiązkowe)
manage-org-contact-name = Osoba do kontaktu (nieobowiązkowe)
manage-org-contact-hint = Osoba do kontaktu potrzebuje adresu e-mail, numeru telefonu albo obu.
manage-org-contact-email = E-mail osoby do kontaktu (nieobowiązkowe)
manage-org-contact-phone = Telefon osoby do kontaktu (nieobowiązkowe)
manage-org-create = Dodaj organizację
manage-org-create-button = Dodaj tę organizację
manage-org-details = Dane
manage-org-suspend-lead = Zawieszona organizacja nie może przyznawać ani przyjmować kredytów, dopóki nie zostanie przywrócona.
manage-org-suspend-reason = Dlaczego jest zawieszana? (nieobowiązkowe)
manage-org-suspend = Zawieś organizację
manage-org-reactivate = Przywróć organizację
manage-org-back = Wróć do listy organizacji
manage-org-done-created = Organizacja została dodana.
manage-org-done-saved = Zmiany zostały zapisane.
manage-org-done-suspended = Organizacja została zawieszona.
manage-org-done-reactivated = Organizacja znów jest aktywna.
manage-org-done-staff-added = Pracownik został dodany.
manage-org-done-staff-removed = Pracownik został usunięty.
manage-staff = Pracownicy
manage-staff-none = Nikt tu jeszcze nie pracuje na platformie.
manage-staff-add = Dodaj pracownika
manage-staff-remove = Usuń
manage-staff-email = Adres e-mail
manage-staff-name = Imię i nazwisko
manage-staff-password = Hasło
manage-staff-new-hint = Tylko dla osoby, która jeszcze się nie loguje.
manage-staff-role = Rola
manage-staff-role-coordinator = Koordynator
manage-staff-role-spend_staff = Obsługa punktu wydawania
manage-staff-role-programme_manager = Menedżer programu
manage-staff-role-evaluator = Ewaluator
manage-staff-error-role = Wybierz rolę
manage-members-pending = Rejestracje czekające na decyzję
manage-members-pending-none = Żadna rejestracja nie czeka.
manage-members-registered = Zarejestrowano { $date }
manage-members-approve = Zatwierdź
manage-members-decline = Odrzuć
manage-members-decline-reason = Dlaczego rejestracja jest odrzucana?
manage-members-error-reason = Napisz, dlaczego rejestracja jest odrzucana
manage-members-approved = Rejestracja została zatwierdzona. Uczestnik może już brać udział.
manage-members-declined = Rejestracja została odrzucona.
manage-members-find = Znajdź uczestnika
manage-members-search = Numer uczestnika lub imię
manage-members-search-hint = Część imienia albo początek numeru uczestnika.
manage-members-search-button = Szukaj
manage-members-found = Znalezieni uczestnicy
manage-members-none = Żaden uczestnik nie pasuje.
manage-members-more = Pasuje więcej uczestników. Wpisz dłuższy fragment imienia lub numeru.
manage-members-number = Numer uczestnika
manage-members-name = Imię i nazwisko
manage-member-status-active = Aktywny
manage-member-status-pending = Czeka na zatwierdzenie
manage-member-status-declined = Odrzucony
manage-rules-in-force = Zasady obowiązujące dziś, { $date }
manage-rules-history = Wszystkie wersje zasad
manage-rules-from = Od
manage-rules-current = obowiązują
manage-rules-granularity = Czas zapisuje się w krokach po
manage-rules-daily-cap = Najwięcej czasu zaliczanego jednej osobie dziennie
manage-rules-claims = Uczestnicy mogą sami zgłaszać godziny
manage-rules-overdraft = Debet przy wymianach
manage-rules-overdraft-hint = W minutach (60 minut to jeden kredyt). 0 oznacza brak debetu.
manage-rules-no-overdraft = Brak
manage-rules-expiry = Kredyty wygasają po (miesiącach)
manage-rules-expiry-hint = Zostaw puste, jeśli kredyty nigdy nie wygasają.
manage-rules-expiry-never = Nigdy
manage-rules-expiry-months = { $n ->
    [one] Po { $n } miesiącu
   *[other] Po { $n } miesiącach
}
manage-rules-receipts = Kredyty, które otrzymują partnerzy przyjmujący
manage-rules-receipts-retire = Są od razu wycofywane
manage-rules-receipts-keep_to_reissue = Zostają u partnera do ponownego przyznania
manage-rules-change = Zmień zasady
manage-rules-change-lead = Zmiana obowiązuje od wybranej daty, dziś lub później. Czas już przepracowany podlega zasadom ze swojego dnia.
manage-rules-effective-from = Obowiązuje od
manage-rules-effective-from-hint = Dzisiejsza lub późniejsza data.
manage-rules-minutes-hint = W minutach.
manage-rules-change-button = Zmień zasady
manage-rules-changed = Zmiana zasad została zapisana.
manage-rules-error-date = Wpisz datę, na przykład 2026-12-01
manage-rules-error-number = Wpisz liczbę całkowitą
manage-rules-error-receipts = Wybierz, co dzieje się z kredytami, które otrzymują partnerzy przyjmujący
manage-circulation-from = Od
manage-circulation-to = Do
manage-circulation-show = Pokaż
manage-circulation-period = Od { $from } do { $to }
manage-circulation-figure = Pozycja
manage-circulation-credits = Kredyty czasu
manage-circulation-hours = Godziny
manage-circulation-opening = W posiadaniu na początku
manage-circulation-issued = Przyznane za poświęcony czas
manage-circulation-reissued = Ponownie przyznane przez partnerów
manage-circulation-redeemed = Wydane
manage-circulation-gifted = Podarowane
manage-circulation-exchanged = Wymienione w banku czasu
manage-circulation-retired = Wycofane
manage-circulation-expired = Wygasłe
manage-circulation-closing = W posiadaniu na końcu
manage-circulation-note = W posiadaniu na końcu = na początku + przyznane − wycofane − wygasłe. Jeden kredyt czasu to jedna godzina poświęconego czasu.
manage-circulation-error-date = Wpisz datę, na przykład 2026-12-01
manage-circulation-error-order = Początek nie może być po końcu
manage-kind-members = Uczestnicy
manage-kind-organisations = Organizacje
manage-kind-contributions = Poświęcony czas (wkłady)
manage-kind-activities = Działania
manage-kind-redemptions = Wydane kredyty
manage-kind-transfers = Księga (wszystkie przelewy)
manage-import-lead = Wklej do pola plik CSV razem z wierszem nagłówka. Próba sprawdza każdy wiersz i niczego nie zapisuje.
manage-import-kind = Co zawiera plik
manage-import-csv = Albo wklej treść pliku CSV
manage-import-csv-hint = Jeśli nie możesz wybrać pliku, otwórz go w edytorze tekstu, skopiuj całość i wklej tutaj.
manage-import-dry-run = Próba: sprawdź plik, nic nie zapisuj
manage-import-dry-run-hint = Odznacz, aby zaimportować naprawdę. Jeśli którykolwiek wiersz ma błąd, nic nie zostanie zapisane.
manage-import-button = Sprawdź lub importuj
manage-import-error-kind = Wybierz, co zawiera plik
manage-import-error-csv = Wybierz plik CSV albo wklej jego treść
manage-import-error-rows = Niektóre wiersze mają błędy: zobacz listę wierszy. Nic nie zostało zapisane.
manage-import-problems = { $n ->
    [one] Znaleziono { $n } błąd. Nic nie zostało zapisane.
    [few] Znaleziono { $n } błędy. Nic nie zostało zapisane.
   *[other] Znaleziono { $n } błędów. Nic nie zostało zapisane.
}
manage-import-would-create = { $n ->
    [one] Plik jest poprawny: zostałby zaimportowany { $n } wiersz ({ $kind }). Nic nie zostało zapisane.
    [few] Plik jest poprawny: zostałyby zaimportowane { $n } wiersze ({ $kind }). Nic nie zostało zapisane.
   *[other] Plik jest poprawny: zostałoby zaimportowanych { $n } wierszy ({ $kind }). Nic nie zostało zapisane.
}
manage-import-created = { $n ->
    [one] Zaimportowano { $n } wiersz ({ $kind }).
    [few] Zaimportowano { $n } wiersze ({ $kind }).
   *[other] Zaimportowano { $n } wierszy ({ $kind }).
}
manage-import-replayed = { $n ->
    [one] Ten plik został już zaimportowany ({ $n } wiersz). Nic nowego nie zapisano.
    [few] Ten plik został już zaimportowany ({ $n } wiersze). Nic nowego nie zapisano.
   *[other] Ten plik został już zaimportowany ({ $n } wierszy). Nic nowego nie zapisano.
}
manage-import-problems-caption = Błędy według wierszy pliku
manage-import-line = Wiersz
manage-import-problem = Błąd
manage-export-lead = Pobierz wszystkie dane jednego rodzaju jako plik CSV.
manage-export-kind = Co wyeksportować
manage-export-button = Pobierz plik CSV
manage-reports-evaluation = Panele ewaluacji
admin-title = Administracja
admin-programmes = Programy
admin-programmes-none = Nie ma jeszcze żadnego programu.
admin-programme-name = Nazwa
admin-programme-locality = Miejscowość
admin-programme-time-zone = Strefa czasowa
admin-programme-time-zone-hint = Na przykład Europe/Warsaw.
admin-programme-language = Główny język
admin-programme-created = Otwarty
admin-programme-create = Utwórz program
admin-staff-create = Utwórz konto pracownika
admin-staff-lead = Nowe konto dla menedżera albo ewaluatora jednego programu.
admin-staff-programme = Program
admin-staff-error-programme = Wybierz program
admin-staff-error-taken = Ktoś już loguje się tym adresem e-mail
admin-done-programme = Program został utworzony.
admin-done-staff = Konto pracownika zostało utworzone.

## Administrators: programme staff
admin-programme-staff-title = Personel programu
admin-programme-staff-link = Personel
admin-programme-staff-lead = Menedżerowie i ewaluatorzy tego programu. Nadaj rolę komuś, kto już się loguje, albo odbierz ją, gdy nie jest już potrzebna.
admin-programme-staff-none = Nikt nie ma jeszcze roli w tym programie.
admin-programme-staff-revoke = Odbierz
admin-programme-staff-grant = Nadaj rolę
admin-programme-staff-email-hint = Adres e-mail, którym się logują.
admin-programme-staff-error-no-sign-in = Nikt nie loguje się tym adresem e-mail; najpierw utwórz jego konto personelu na stronie administracji
admin-programme-staff-done-granted = Rola została nadana.
admin-programme-staff-done-revoked = Rola została odebrana.
admin-programme-staff-back = Wróć do administracji
## evaluation dashboards and funder report
nav-reports = Raporty
reports-title = Raporty ewaluacyjne
reports-choose-programme = Wybierz program.
reports-reach = Zasięg
reports-engagement = Zaangażowanie
reports-outcomes = Rezultaty
reports-funder = Raport dla grantodawcy
reports-tabs = Raporty
reports-filter-from = Od
reports-filter-to = Do
reports-filter-date-hint = Daty takie jak 2026-04-01. Zostaw puste, aby objąć cały okres.
reports-filter-organisation = Organizacja
reports-filter-level = Poziom współtworzenia
reports-filter-mode = Forma współtworzenia
reports-filter-any = Dowolna
reports-filter-show = Pokaż dane
reports-level-individual = Indywidualny
reports-level-group = Grupowy
reports-level-collective = Zbiorowy
reports-mode-co_design = Współprojektowanie
reports-mode-co_delivery = Współrealizacja
reports-mode-co_governance = Współzarządzanie
reports-mode-peer_support = Wsparcie rówieśnicze
reports-mode-community_action = Działanie społeczne
reports-error-date = Wpisz datę, na przykład 2026-04-01
reports-error-order = Początek okresu musi przypadać nie później niż jego koniec
reports-error-organisation = Wybierz organizację z listy
reports-error-choice = Wybierz jedną z opcji z listy
reports-period-between = Od { $from } do { $to }
reports-period-from = Od { $from }
reports-period-to = Do { $to }
reports-period-all = Cały czas działania programu
reports-computed-at = Dane według stanu na { $moment }. Raport jest przez chwilę przechowywany, więc wpisy z ostatniej minuty mogą jeszcze nie być widoczne.
reports-disclosure = Kontrola ujawniania: dane dotyczące mniej niż { $threshold } osób oraz każda liczba, z której można by je odtworzyć, są zastąpione słowem „{ $marker }”. Dzięki temu nie da się rozpoznać żadnego uczestnika.
reports-columns-note = Tytuły tabel i nazwy kolumn są takie same jak w plikach CSV, więc pobrany plik odpowiada stronie. Godziny zapisano jako godziny:minuty.
reports-download-csv = Pobierz CSV
reports-no-tables = Dla tego wyboru nie ma jeszcze danych.
reports-funder-period = Okres
reports-funder-computed = Stan danych na
reports-funder-editions = Wydania danych
reports-funder-editions-text = Angielskie wskaźniki deprywacji 2019 (IMD 2019); obszary LSOA (Lower layer Super Output Areas), granice z 2011 roku (LSOA 2011).
reports-chart-participants = Uczestnicy (%)
reports-chart-area = Obszary LSOA (%)
reports-chart-active = Aktywni członkowie
reports-chart-reach-title = Uczestnicy i okolice obszaru według decyla deprywacji
reports-chart-reach-desc = Słupki dla każdego decyla, 1 to najbardziej zdeprywowany: odsetek uczestników obok odsetka obszarów LSOA. Krzyżyk oznacza ukrytą liczbę. Liczby podaje tabela poniżej.
reports-chart-active-title = Aktywni członkowie w poszczególnych miesiącach
reports-chart-active-desc = Jeden słupek na miesiąc dla członków, którzy poświęcili czas. Krzyżyk oznacza ukrytą liczbę. Liczby podaje tabela poniżej.
reports-chart-outcomes-title = Średnia zmiana od pomiaru wyjściowego z 95% przedziałami ufności
reports-chart-outcomes-desc = Kropka dla każdej średniej zmiany i linia dla jej 95% przedziału ufności, na tle linii braku zmiany. Krzyżyk oznacza ukrytą liczbę. Liczby podaje tabela poniżej.
reports-funder-pdf = Pobierz ten raport jako PDF
org-org-activity-postcode-hint = Na przykład PE15 8AA. Zostaw puste, jeśli zajęcia odbywają się pod adresem Twojej organizacji.
org-activity-error-postcode = Wpisz brytyjski kod pocztowy, na przykład PE15 8AA, albo zostaw puste
reports-rows-left-out = { $n ->
    [one] Pominięto tu { $n } wiersz, w którym wszystkie liczby są ukryte. Plik CSV zawiera wszystkie wiersze.
    [few] Pominięto tu { $n } wiersze, w których wszystkie liczby są ukryte. Plik CSV zawiera wszystkie wiersze.
    [many] Pominięto tu { $n } wierszy, w których wszystkie liczby są ukryte. Plik CSV zawiera wszystkie wiersze.
   *[other] Pominięto tu { $n } wiersza, w których wszystkie liczby są ukryte. Plik CSV zawiera wszystkie wiersze.
}
