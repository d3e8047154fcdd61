from django.contrib.auth.password_validation import MinimumLengthValidator


class VietnameseMinimumLengthValidator(MinimumLengthValidator):
    """Django's Vietnamese catalogue lacks this one message; the portal speaks Vietnamese only."""

    def get_error_message(self):
        return f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự."
