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
