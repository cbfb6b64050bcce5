"""The generations domain: generation -> variants -> scenes -> videos."""
