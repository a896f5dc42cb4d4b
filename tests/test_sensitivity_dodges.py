"""A sensitive word is caught however it is disguised (invisible characters, look-alike
letters, letters spelled apart); ordinary sentences are not; and no rule can hang a save."""

import time

import pytest
from django.core.exceptions import ValidationError

from demo.people import RULES
from editorial.models import SensitivityRule
from editorial.sensitivity import matching_rule


def rule(pattern, kind="keyword"):
    return SensitivityRule(pattern=pattern, kind=kind, topic="Sujet", active=True)


NOTE_CADRE = [rule(pattern, kind) for kind, pattern, _topic in RULES]
ATTENTAT = [rule("attentat")]

# "attentat" as a reader sees it, written so that a plain comparison misses it.
DISGUISES = {
    "soft hyphen": "Un atten\u00adtat déjoué à Lyon.",
    "zero-width space": "Un att\u200bentat déjoué à Lyon.",
    "zero-width joiner": "Un atte\u200dntat déjoué à Lyon.",
    "zero-width non-joiner": "Un at\u200ctentat déjoué à Lyon.",
    "word joiner": "Un atten\u2060tat déjoué à Lyon.",
    "byte order mark": "Un atten\ufefftat déjoué à Lyon.",
    "Cyrillic a": "Un \u0430ttent\u0430t déjoué à Lyon.",
    "Cyrillic e": "Un att\u0435ntat déjoué à Lyon.",
    "Greek alpha": "Un \u03b1ttentat déjoué à Lyon.",
    "dotted letters": "Un a.t.t.e.n.t.a.t déjoué à Lyon.",
    "spaced letters": "Un a t t e n t a t déjoué à Lyon.",
    "hyphenated letters": "Un a-t-t-e-n-t-a-t déjoué à Lyon.",
    "stray combining mark": "Un at\u0301tentat déjoué à Lyon.",
    "combining grapheme joiner": "Un atte\u034fntat déjoué à Lyon.",
    "fullwidth letters": "Un ａｔｔｅｎｔａｔ déjoué à Lyon.",
    "mathematical letters": "Un 𝐚𝐭𝐭𝐞𝐧𝐭𝐚𝐭 déjoué à Lyon.",
    "mixed case": "Un AtTeNtAt déjoué à Lyon.",
    "dotted plural": "Des a.t.t.e.n.t.a.t.s déjoués.",
    "after a single letter": "Il y a t t e n t a t.",
}


@pytest.mark.parametrize("text", DISGUISES.values(), ids=DISGUISES.keys())
def test_a_disguised_keyword_is_caught(text):
    assert matching_rule(text, ATTENTAT) is not None


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("Placé en gar\u00adde à v\u200bue hier soir.", "garde à vue"),
        ("Il a été m\u0456s en ex\u0430men.", "mis en examen"),
        ("Une e.n.q.u.e.t.e j.u.d.i.c.i.a.i.r.e est ouverte.", "enquête judiciaire"),
        ("Une v\u200bictime hospitalisée.", "victime"),
        ("Deux ｖｉｃｔｉｍｅｓ.", "victime"),
    ],
)
def test_a_disguised_phrase_of_the_note_cadre_is_caught(text, pattern):
    found = matching_rule(text, NOTE_CADRE)
    assert found is not None and found.pattern == pattern


# Ordinary public-safety communication: none of it is sensitive under the note-cadre.
ORDINARY = [
    "Opération tranquillité vacances : inscrivez-vous avant de partir.",
    "Le commissariat de Lille ouvre ses portes samedi de 10 h à 17 h.",
    "Prenez garde à vous sur la route des vacances.",
    "Les gardes du corps du ministre étaient présents à la cérémonie.",
    "Mise en service du nouveau commissariat de Strasbourg.",
    "Mise en ligne de la plainte en ligne pour les escroqueries.",
    "Une enquête de satisfaction auprès des usagers est en cours.",
    "Le casier judiciaire se demande en ligne, gratuitement.",
    "Un acte attentatoire à la vie privée est puni par la loi.",
    "Les missions de la police judiciaire expliquées aux collégiens.",
    "Examens du permis de conduire : les dates de la session de juin.",
    "Portes ouvertes : venez découvrir nos métiers à vue d'œil.",
    "Le terrorisme informatique : nos conseils de cybersécurité.",
    "Attention aux faux sites : vérifiez l'adresse avant de payer.",
    "Restez attentifs aux piétons près des écoles à la rentrée.",
    "Le préfet a reçu les maires du département mardi.",
    "Journée de recrutement : la police nationale recrute des cadets.",
    "Contrôles d'alcoolémie renforcés ce week-end sur l'A7.",
    "Nos agents ont participé au forum des associations de Lyon.",
    "Un numéro unique, le 17, pour joindre la police ou la gendarmerie.",
    "Le 14 juillet, les forces de l'ordre défilent sur les Champs-Élysées.",
    "Cambriolages : fermez vos fenêtres, même pour une courte absence.",
    "Brigade cynophile : découvrez le quotidien de nos chiens policiers.",
    "Rencontre avec les habitants du quartier autour d'un café.",
    "Sécurité routière : le port de la ceinture sauve des vies.",
    "Des conseils pour protéger vos données personnelles en ligne.",
    "La maison de protection des familles accueille les parents.",
    "À vélo, un casque homologué et des gants sont recommandés.",
    "Il y a un an, nous lancions notre compte sur ce réseau.",
    "De A à Z, tout savoir sur la procuration de vote en ligne.",
    "Le S.A.M.U. et les pompiers étaient présents lors de l'exercice.",
    "Voir les points a), b) et c) du règlement intérieur.",
    "L'équipe de la D.D.S.P. vous souhaite de bonnes fêtes — à l'an prochain !",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_french_sentences_match_no_rule_of_the_note_cadre(text):
    found = matching_rule(text, NOTE_CADRE)
    assert found is None, found and found.pattern


# --- regular expressions run in linear time ------------------------------------------


def test_a_catastrophic_pattern_answers_within_a_bound_on_a_long_text():
    # Under a backtracking engine each two more "x" multiply the time by four: 28 took
    # seven seconds. RE2 reads the text once.
    catastrophic = rule("(x+x+)+y", kind="regex")
    text = "x" * 20_000

    started = time.perf_counter()
    found = matching_rule(text, [catastrophic])
    elapsed = time.perf_counter() - started

    assert found is None
    assert elapsed < 0.5, elapsed
    assert matching_rule("x" * 30 + "y", [catastrophic]) is catastrophic


@pytest.mark.parametrize("pattern", [r"(attentat)\s+\1", r"(?<!contre-)attentat", r"a{1000}{1000}"])
def test_a_pattern_that_cannot_run_in_linear_time_is_refused_with_a_message(pattern):
    with pytest.raises(ValidationError) as error:
        rule(pattern, kind="regex").clean()
    assert "not a valid regular expression" in error.value.message_dict["pattern"][0]


def test_a_regular_expression_sees_the_text_without_invisible_or_look_alike_letters():
    morts = rule(r"morte?s? en service", kind="regex")
    assert matching_rule("Deux policiers m\u043erts en ser\u00advice.", [morts]) is morts
