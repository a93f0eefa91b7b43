from allauth.account.forms import ConfirmEmailVerificationCodeForm as AllauthConfirmEmailVerificationCodeForm
from allauth.account.forms import ConfirmLoginCodeForm as AllauthConfirmLoginCodeForm
from allauth.account.forms import ConfirmPasswordResetCodeForm as AllauthConfirmPasswordResetCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    """allauth's signup, doing the same work whether or not the address already has an account.

    For a new address allauth hashes the password (the slow part, on purpose); for a known one it only
    e-mails the owner. The hash is computed and thrown away here so both answers take as long.
    """

    def try_save(self, request):
        if self.account_already_exists and self.cleaned_data.get("password1"):
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class NumberPadCodeMixin:
    """Codes are six digits (ALLAUTH_USER_CODE_FORMAT): a phone shows its number pad."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric"})


class ConfirmEmailVerificationCodeForm(NumberPadCodeMixin, AllauthConfirmEmailVerificationCodeForm):
    pass


class ConfirmLoginCodeForm(NumberPadCodeMixin, AllauthConfirmLoginCodeForm):
    pass


class ConfirmPasswordResetCodeForm(NumberPadCodeMixin, AllauthConfirmPasswordResetCodeForm):
    pass
