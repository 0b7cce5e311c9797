"""First start: create the profile (name, agency, country, passphrase twice with a strength
meter), wait while the keys are made, then show the fingerprint as digits and QR code.

The window only collects input and displays results; the controller runs the slow work and
calls :meth:`show_busy`, :meth:`show_created` and :meth:`show_error`.
"""

from __future__ import annotations

from desktop.countries import countries
from desktop.i18n import collator_key
from desktop.profiles import NewProfile, ProfileSummary
from desktop.qt import Qt, QtWidgets, Signal
from desktop.widgets.busy import BusyIndicator
from desktop.widgets.fingerprint import FingerprintView
from desktop.widgets.language_combo import LanguageCombo
from desktop.widgets.plain_label import PlainLabel
from desktop.widgets.strength import MIN_LENGTH, StrengthMeter, estimate
from locales import _, current_language

FORM, BUSY, DONE = 0, 1, 2


class FirstStartWindow(QtWidgets.QWidget):
    """Emits ``create_requested(passphrase, NewProfile)``, ``language_chosen(code)`` and, once
    the fingerprint was shown, ``continue_requested``."""

    create_requested = Signal(str, object)
    language_chosen = Signal(str)
    continue_requested = Signal()

    def __init__(
        self, languages: list[tuple[str, str]], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("first-start")
        self.pages = QtWidgets.QStackedWidget(self)
        self.pages.addWidget(self._build_form(languages))
        self.pages.addWidget(self._build_busy())
        self.pages.addWidget(QtWidgets.QWidget())  # replaced by the fingerprint page
        self.fingerprint_view: FingerprintView | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self.pages)
        self.retranslate()
        self._update_state()
        self.resize(640, 560)

    # -- building ------------------------------------------------------------------------

    def _build_form(self, languages: list[tuple[str, str]]) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        self.title = QtWidgets.QLabel(page)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.intro = QtWidgets.QLabel(page)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)

        self.language = LanguageCombo(languages, page)
        self.language.set_code(current_language())
        self.language.currentIndexChanged.connect(
            lambda _i: self.language_chosen.emit(self.language.code())
        )
        self.name = QtWidgets.QLineEdit(page)
        self.name.setMaxLength(200)
        self.agency = QtWidgets.QLineEdit(page)
        self.agency.setMaxLength(200)
        self.country = QtWidgets.QComboBox(page)
        self.country.setMaxVisibleItems(15)
        self.passphrase = QtWidgets.QLineEdit(page)
        self.passphrase.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.repeat = QtWidgets.QLineEdit(page)
        self.repeat.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.meter = StrengthMeter(page)
        self.problem = QtWidgets.QLabel(page)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.create_button = QtWidgets.QPushButton(page)
        self.create_button.setDefault(True)
        self.create_button.setAutoDefault(True)

        self.form = QtWidgets.QFormLayout()
        self.form.setFieldGrowthPolicy(
            QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        self.form_labels: dict[str, QtWidgets.QLabel] = {}
        for key, field in (
            ("language", self.language),
            ("name", self.name),
            ("agency", self.agency),
            ("country", self.country),
            ("passphrase", self.passphrase),
            ("repeat", self.repeat),
        ):
            label = QtWidgets.QLabel(page)
            label.setBuddy(field)  # the mnemonic in the label's text focuses the field
            self.form_labels[key] = label
            self.form.addRow(label, field)
        self.form.addRow("", self.meter)

        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)

        layout = QtWidgets.QVBoxLayout(page)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addSpacing(12)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addLayout(buttons)

        for edit in (self.name, self.agency, self.passphrase, self.repeat):
            edit.textChanged.connect(self._update_state)
        self.country.currentIndexChanged.connect(self._update_state)
        self.create_button.clicked.connect(self._submit)
        for edit in (self.name, self.agency, self.passphrase, self.repeat):
            edit.returnPressed.connect(self._submit)
        QtWidgets.QWidget.setTabOrder(self.language, self.name)
        QtWidgets.QWidget.setTabOrder(self.name, self.agency)
        QtWidgets.QWidget.setTabOrder(self.agency, self.country)
        QtWidgets.QWidget.setTabOrder(self.country, self.passphrase)
        QtWidgets.QWidget.setTabOrder(self.passphrase, self.repeat)
        QtWidgets.QWidget.setTabOrder(self.repeat, self.create_button)
        return page

    def _build_busy(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        self.busy = BusyIndicator(page)
        layout = QtWidgets.QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        return page

    def _fill_countries(self) -> None:
        chosen = self.country.currentData()
        self.country.blockSignals(True)
        self.country.clear()
        for country in countries(current_language(), collator_key()):
            self.country.addItem(country.name, country.code)
        index = self.country.findData(chosen) if chosen else -1
        self.country.setCurrentIndex(index)
        self.country.blockSignals(False)

    # -- state ---------------------------------------------------------------------------

    def _problems(self) -> list[str]:
        problems: list[str] = []
        strength = estimate(self.passphrase.text(), (self.name.text(), self.agency.text()))
        self.meter.set_strength(strength)
        if self.passphrase.text() and not strength.long_enough:
            problems.append(
                _("The passphrase needs at least {count} characters.").format(count=MIN_LENGTH)
            )
        elif self.passphrase.text() and not strength.acceptable:
            problems.append(_("The passphrase is too easy to guess: add a few unusual words."))
        if self.repeat.text() and self.repeat.text() != self.passphrase.text():
            problems.append(_("The two passphrases differ."))
        return problems

    def _ready(self) -> bool:
        return bool(
            self.name.text().strip()
            and self.agency.text().strip()
            and self.country.currentIndex() >= 0
            and self.meter.strength.acceptable
            and self.repeat.text() == self.passphrase.text()
        )

    def _update_state(self) -> None:
        self.problem.setText("\n".join(self._problems()))
        self.create_button.setEnabled(self._ready())

    def _submit(self) -> None:
        if not self._ready():
            return
        new = NewProfile(
            self.name.text().strip(), self.agency.text().strip(), str(self.country.currentData())
        )
        passphrase = self.passphrase.text()
        self.create_requested.emit(passphrase, new)

    # -- called by the controller ----------------------------------------------------------

    def show_busy(self) -> None:
        self.pages.setCurrentIndex(BUSY)
        self.busy.set_text(_("Creating your keys and your encrypted store…"))

    def show_error(self, message: str) -> None:
        self.pages.setCurrentIndex(FORM)
        self.problem.setText(message)
        self.passphrase.setFocus()

    def show_created(self, summary: ProfileSummary) -> None:
        """Forget the typed passphrase and show the new fingerprint."""
        self.passphrase.clear()
        self.repeat.clear()
        page = QtWidgets.QWidget()
        self.done_title = QtWidgets.QLabel(page)
        self.done_title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.done_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.done_title.setFont(font)
        self.done_text = QtWidgets.QLabel(page)
        self.done_text.setTextFormat(Qt.TextFormat.PlainText)
        self.done_text.setWordWrap(True)
        self.who = PlainLabel(parent=page)
        self.fingerprint_view = FingerprintView(summary.fingerprint, summary.qr_png, page)
        self.continue_button = QtWidgets.QPushButton(page)
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.continue_requested)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout = QtWidgets.QVBoxLayout(page)
        layout.addWidget(self.done_title)
        layout.addWidget(self.who)
        layout.addWidget(self.done_text)
        layout.addSpacing(12)
        layout.addWidget(self.fingerprint_view)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.who.setText(f"{summary.name} · {summary.agency}")
        old = self.pages.widget(DONE)
        if old is not None:
            self.pages.removeWidget(old)
            old.deleteLater()
        self.pages.insertWidget(DONE, page)
        self.pages.setCurrentIndex(DONE)
        self.retranslate()
        self.continue_button.setFocus()

    # -- language ------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_("Cordon — create your profile"))
        self.title.setText(_("Welcome to Cordon"))
        self.intro.setText(
            _(
                "Create the profile for this device. Your passphrase encrypts everything Cordon "
                "keeps here; it cannot be recovered if you forget it."
            )
        )
        labels = {
            "language": _("&Language:"),
            "name": _("Your &name:"),
            "agency": _("&Agency:"),
            "country": _("&Country:"),
            "passphrase": _("&Passphrase:"),
            "repeat": _("&Repeat passphrase:"),
        }
        for key, text in labels.items():
            self.form_labels[key].setText(text)
        self.language.setAccessibleName(_("Interface language"))
        self.name.setAccessibleName(_("Your name"))
        self.name.setPlaceholderText(_("as your partners know you"))
        self.agency.setAccessibleName(_("Agency"))
        self.agency.setPlaceholderText(_("for example: Customs, Border Police"))
        self.country.setAccessibleName(_("Country"))
        self.country.setPlaceholderText(_("Choose your country"))
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.passphrase.setPlaceholderText(
            _("at least {count} characters; several words are best").format(count=MIN_LENGTH)
        )
        self.repeat.setAccessibleName(_("Repeat passphrase"))
        self.meter.retranslate()
        self.problem.setAccessibleName(_("Problems"))
        self.create_button.setText(_("Cr&eate profile"))
        self.create_button.setAccessibleName(_("Create profile"))
        self._fill_countries()
        if self.pages.currentIndex() == BUSY:
            self.busy.set_text(_("Creating your keys and your encrypted store…"))
        if self.fingerprint_view is not None:
            self.done_title.setText(_("Your profile is ready"))
            self.done_text.setText(
                _(
                    "This is your fingerprint. When someone admits you to an operation, they "
                    "compare it with what their screen shows, in person or by phone."
                )
            )
            self.fingerprint_view.retranslate()
            self.continue_button.setText(_("C&ontinue"))
            self.continue_button.setAccessibleName(_("Continue"))
        if self.pages.currentIndex() == FORM:
            self._update_state()

    def focus_first_field(self) -> None:
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
