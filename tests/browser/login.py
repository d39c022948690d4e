"""Logging in through the real form, as a person would (portal or back office)."""

import re

from playwright.sync_api import expect

PASSWORD = "Tilleuls-2026!"


def log_in(page, url, email, password=PASSWORD):
    page.goto(url)
    page.get_by_label(re.compile("e-mail|Adresse électronique", re.I)).first.fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name=re.compile("Se connecter|Connexion")).click()
    expect(page).not_to_have_url(re.compile("/login/"))
