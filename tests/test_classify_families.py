"""The families of serious events as the police write them, and "to check" (att kontrollera).

The wordings are real summaries from the 2023–2024 corpus of police events (ids given),
the language the rules were grown from (tools/corpus_families.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing import config, pipeline
from briefing.errors import ConfigError
from briefing.judge.classify import Rules, classify
from briefing.models import Judgement, Place, Severity
from briefing.render import render
from briefing.sources.http import HttpClient
from briefing.store import Store
from tests.schema_check import validate
from tests.test_classify import report

TZ = ZoneInfo("Europe/Stockholm")
NOWHERE = Place("Järfälla")
SCHEMA = json.loads(
    (Path(__file__).parent.parent / "briefing" / "data" / "schema-1.json").read_text("utf-8")
)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.load()


def judge(rules: Rules, kind: str, summary: str, text: str = "") -> Judgement:
    return classify(report(kind, summary, text=text), NOWHERE, rules)


@pytest.mark.parametrize(
    ("kind", "summary", "severity"),
    [
        ("Brand", "Försök till mordbrand, Kung Oscars väg.", "critical"),  # 429623
        ("Brand", "Brand i soprum.", "high"),  # 471825: the shared spaces of a block
        ("Brand", "Brand i cykelförråd på Hårds väg.", "high"),  # 533551
        ("Brand", "Det brinner i ett garage i Lemmeshult.", "high"),  # 621501
        ("Brand", "Två personbilar brinner i Ekeby och polis skickas till platsen.", "high"),
        ("Skadegörelse", "Polis larmas till Dalhemsvägen där flera bilar brinner.", "high"),
        ("Brand", "Bilbrand på Tulpangatan.", "medium"),  # a single vehicle fire
        ("Brand", "Brand på spis i samband med matlagning.", "medium"),  # 550925
        ("Olaga hot", "Hot mot företag i Norrköping", "high"),  # 466431: extortion family
        ("Stöld", "En man hotar butikspersonal.", "high"),  # 421503
        ("Olaga hot", "Personal i matbutik som blivit hotad", "high"),  # 554952
        ("Olaga hot", "Det har kommit brev med hotelser till ett antal tingsrätter.", "high"),
        ("Olaga hot", "Man hotade sin granne.", "medium"),  # between individuals
        ("Olaga hot", "Vi hanterar i nuläget ett olaga hot mot centralstationen.", "high"),
        ("Ofredande/förargelse", "Man visade könet för skolelever.", "high"),  # 429061
        ("Ofredande/förargelse", "Förbipasserande ser en onanerande man.", "high"),
        ("Misshandel", "Misstänkt grov misshandel i Östersund.", "high"),  # 467224
        ("Misshandel", "Slagsmål på Östermalmstorg,", "high"),  # 429705: in public
        ("Misshandel", "Man gripen misstänkt för relationsmisshandel.", "medium"),
        ("Bråk", "Bråk mellan ett 40-tal ungdomar på Lindholmen (Diagonalen).", "high"),
        ("Olaga hot", "Hotfull man tvingade polisen att skjuta varningsskott.", "critical"),
        ("Fylleri/LOB", "En berusad man omhändertogs vid busstationen i centrum.", "low"),
        ("Djur", "En död älg ligger vid vägen.", "low"),
        ("Övrigt", "Hot mot skolor visade sig vara missförstånd.", "medium"),  # 521216
        ("Brand", "Gasolexplosion i husvagn, Kungsgårdens camping", "critical"),  # 461895
        ("Larm Överfall", "Maskerad man rånar matbutik.", "high"),  # 429450
        ("Åldringsbrott", "Polisen griper en man som misstänks ha rånat en äldre kvinna.", "high"),
        ("Misshandel", "Han har blivit slagen och fråtagen sin mobiltelefon.", "high"),  # 529709
        ("Skadegörelse", "Sex parkerade fordon skadades av branden.", "high"),  # 419365
        ("Brand", "Två anlagda bränder, centrum.", "high"),  # 442787
        ("Misshandel", "En man har blivit misshandlad av ett gäng.", "high"),  # 518356
        ("Misshandel", "En man har slagits till marken av en annan man.", "high"),  # 438990
        ("Larm Överfall", "Två personer misshandlar personal på en restaurang.", "high"),
        (
            "Larm Överfall",  # 477504: staff at a municipal site
            "En obehörig på en kommunal social inrättning stökar så att personalen larmar.",
            "high",
        ),
        ("Larm Överfall", "Överfallslarm", "medium"),  # no cause given: a robbery alarm
        ("Brand", "Gräsbrand som har spridit sig till byggnader.", "high"),
        ("Våld/hot mot tjänsteman", "Biljettkontrollant blev slagen på tåg", "high"),
        ("Våld/hot mot tjänsteman", "Väktare misshandlad i ett parkeringshus i centrala.", "high"),
        ("Våld/hot mot tjänsteman", "Man gripen för hot mot tjänsteman.", "medium"),
        ("Misshandel", "Man misshandlad med vasst tillhygge.", "high"),  # a weapon
        ("Misshandel", "Ett flertal gärningspersoner har gett sig på en man.", "high"),
        ("Ofredande/förargelse", "Misstänkt sexuellt ofredande på biblioteket.", "high"),
        ("Sexualbrott", "Man misstänks för sexuellt ofredande.", "medium"),  # no setting
        ("Bråk", "Två män slåss i Huddinge centrum.", "high"),  # a district centre
        ("Bråk", "Bråk vid resecentrum.", "high"),
        ("Bråk", "Stortorget. Bråk mellan flertalet personer.", "high"),
        ("Bråk", "Bråk utomhus mellan ett större antal personer.", "high"),  # unrest
        ("Bråk", "Bråk i Berga.", "medium"),
        ("Ordningslagen", "Fyrverkerier skjuts mot personer, Perstorp.", "high"),
        ("Misshandel", "Personer avfyrar fyrverkerier mot människor och fordon.", "high"),
        ("Ofredande/förargelse", "Ungdomar kastade fyrverkerier mot affär.", "medium"),
        ("Stöld/inbrott", "En personbil kördes in i en butik i Vällingby centrum.", "high"),
        ("Övrigt", "En man grips efter att ha uttalat ett bombhot på Arlanda.", "high"),
        ("Olaga hot", "En flicka i tonåren har hotats av en yngling på en buss.", "high"),
        ("Olaga hot", "Man misstänks ha hotat sin 15-åriga dotter, en närstående.", "medium"),
        # group assault, public transport staff, passers-by, strangers, big fights, hospital
        ("Misshandel", "Ett vittne ringde in om att flera personer slog på en person.", "high"),
        ("Misshandel", "En busschaufför blir slagen av en passagerare.", "high"),
        ("Misshandel", "Ung man uppges ha knuffat/slagit förbipasserade vid en park", "high"),
        ("Misshandel", "Hon har blivit misshandlad och ofredad av okända.", "high"),
        ("Misshandel", "Polisen får flera samtal om ett större slagsmål på Linehed.", "high"),
        ("Misshandel", "Man förd till sjukhus efter misshandel", "high"),
        ("Misshandel", "Kvinna förd till sjukhus efter misshandel i nära relation", "medium"),
        ("Misshandel", "Misshandel på Teleborg.", "medium"),
        ("Bråk", "Större bråk i Kungsparken.", "high"),
        ("Bråk", "Bråk i Berga.", "medium"),
        # arson phrased as an attempt or by who started it; plural and compound buildings
        ("Brand", "En man misstänks ha försökt tända eld i entréerna till en lokal.", "high"),
        ("Brand", "Okänd gärningsperson startade en brand i Kristineberg.", "high"),
        ("Brand", "En brand har startat efter kastad fyrverkeripjäs.", "medium"),
        ("Brand", "Brand i kolonistugor", "high"),
        ("Brand", "Polisen kommer utreda branden som totalförstörde ett torp i Fresta.", "high"),
        # bus drivers beaten, a man with a club, murder prepared, a fight at a station
        ("Våld/hot mot tjänsteman", "Busschaufför misshandlas av resenär.", "high"),
        ("Våld/hot mot tjänsteman", "Man gripen för våld mot tjänsteman", "medium"),
        ("Olaga hot", "Tågvärd hotades av man med tillhygge.", "high"),
        ("Skadegörelse", "En man slår sönder villafönster med ett tillhygge.", "medium"),
        ("Övrigt", "Man anhållen misstänkt för förberedelse till mord mm.", "high"),
        ("Övrigt", "Ett större antal individer har bråkat på resecentrum i Örebro.", "high"),
        ("Ordningslagen", "Ett 50-tal personer har en trafikhindrande allmän sammankomst.", "low"),
        ("Olaga hot", "Personal från Borås stads Aktivitetshus fick hotfulla lappar.", "high"),
        ("Övrigt", "Ungdomar skjuter raketer vid Hyllievångskolan.", "high"),
        ("Skadegörelse", "Fyrverkerier utlöser brandlarmet på en skola.", "medium"),
        # a series of business burglaries, however the police count it
        ("Stöld/inbrott", "Inbrott i flera företagslokaler.", "high"),
        ("Inbrott", "Två företag i Kristinehamn har under helgen haft inbrott.", "high"),
        ("Inbrott", "Inbrott i matbutik i Hallstahammar.", "medium"),
        ("Stöld", "En man uppger att en annan man tilltvingat sig hans jacka.", "high"),
        # two fighting each other in the street; several are unrest; a weapon settled
        ("Misshandel", "Samtal om att två personer slogs med varandra på Karlavägen.", "medium"),
        ("Misshandel", "Flera personer slåss på Gärdet.", "high"),
        ("Bråk", "Ett 10-tal män har slagits med varandra i centrum.", "high"),
        (
            "Vapenlagen",
            "Larm om man med vapen i centrala Hjo, visade sig vara man med paraply",
            "medium",
        ),
        ("Vapenlagen", "Vapnet visade sig vara ett skarpladdat skjutvapen.", "high"),
        # shots that are none: a load shifting, game shot, a film being shot
        ("Övrigt", "En lastbil har förskjutning på sin last på Mossbergavägen i Örebro.", "medium"),
        (
            "Djur",
            "En jägare sköt av misstag två hästar när han var ute för att jaga vildsvin.",
            "low",
        ),
        ("Övrigt", "Filminspelning med vapenliknande föremål utanför skola", "medium"),
        ("Mord/dråp, försök", "En man blir skjuten i Haninge centrum.", "critical"),
        # shoplifting is routine; a threat in the shop is not
        ("Stöld", "Birsta, en man har stoppats efter misstänkt ringa stöld i butik", "low"),
        ("Stöld", "En man hotar butikspersonal efter en stöld i butiken.", "high"),
        ("Stöld", "Stöld ur campingstuga", "medium"),
    ],
)
def test_the_police_s_wording_of_each_family(
    rules: Rules, kind: str, summary: str, severity: str
) -> None:
    judgement = judge(rules, kind, summary)
    assert judgement.severity is Severity(severity), judgement.reasons


@pytest.mark.parametrize(
    ("kind", "summary", "rule"),
    [
        ("Brand", "Larm om brand.", "fire_of_unknown_object"),  # 648111
        ("Kontroll person/fordon", "Kontroll på skola.", "other_at_school"),  # 425051
        ("Trafikbrott", "Förföljande från E18 in till Tensta.", "search_after_chase"),
        ("Övrigt", "Ett larm om att någon har hört en hög smäll.", "bang_unexplained"),
        (
            "Anträffad död",
            "En man hittades död, polisen utreder omständigheterna.",
            "death_unclear",
        ),
    ],
)
def test_what_the_text_cannot_settle_is_to_check_with_the_rule_and_words(
    rules: Rules, kind: str, summary: str, rule: str
) -> None:
    judgement = judge(rules, kind, summary)
    assert not judgement.serious
    assert judgement.check is not None and f"rule '{rule}'" in judgement.check
    assert judgement.check.startswith("to check: ")


def test_to_check_is_in_swedish_for_the_chief(rules: Rules) -> None:
    judgement = classify(report("Brand", "Larm om brand."), NOWHERE, rules, "sv")
    assert judgement.check is not None
    assert judgement.check.startswith("att kontrollera: regel 'fire_of_unknown_object' ('brand')")


def test_the_page_settles_it(rules: Rules) -> None:
    alarm = "Larm om brand."
    assert judge(rules, "Brand", alarm).check is not None
    flat = judge(rules, "Brand", alarm, "Det brinner i en lägenhet på tredje våningen.")
    assert flat.serious and flat.check is None  # serious: nothing left to check
    bin_fire = judge(rules, "Brand", alarm, "Det var en soptunna som brann.")
    assert not bin_fire.serious and bin_fire.check is None


def unsure_rule(tmp_path: Path, check: str) -> Path:
    """A rules file of one rule whose only effect is `check`."""
    path = tmp_path / "rules.toml"
    text = 'categories = ["other", "info"]\n[[rules]]\nname = "unsure"\npattern = "oklart"\n'
    path.write_text(f"{text}check = {check}\n", encoding="utf-8")
    return path


def test_check_must_be_true_or_false(tmp_path: Path) -> None:
    wrong = r"rules\.toml:5: rules\[0\] \('unsure'\)\.check: must be true or false"
    with pytest.raises(ConfigError, match=wrong):
        Rules.load(unsure_rule(tmp_path, '"yes"'))


def test_a_rule_with_only_check_is_a_rule(tmp_path: Path) -> None:
    rules = Rules.load(unsure_rule(tmp_path, "true"))
    judgement = judge(rules, "Övrigt", "Något oklart hände.")
    assert judgement.check == (
        "to check: rule 'unsure' ('oklart'), the text does not say how serious"
    )
    assert judgement.reasons == ("unknown type 'Övrigt': other, base medium",)


def test_to_check_is_shown_apart_in_every_format_and_in_the_json(tmp_path: Path) -> None:
    (tmp_path / "inkorg").mkdir()
    (tmp_path / "inkorg" / "natt.csv").write_text(
        "Datum;Händelse;Plats\n2026-11-26 23:10;Larm om brand;Jakobsbergs centrum\n"
        "2026-11-26 23:40;Bråk;Viksjö\n",
        encoding="utf-8",
    )
    config_path = tmp_path / "sources.toml"
    config_path.write_text(
        '[briefing]\nmunicipality = "Järfälla"\n'
        '[sources.vakter]\nkind = "csv"\norigin = "guards"\npath = "inkorg"\n'
        'columns = { time = "Datum", category = "Händelse", place = "Plats" }\n',
        encoding="utf-8",
    )
    now = datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
    with HttpClient() as http:
        briefing = pipeline.today(config.load(config_path), Store.memory(), http, now=now)
    document = json.loads(render(briefing, "json"))
    validate(document, SCHEMA)
    checks = {i["type"]: i.get("check") for i in document["incidents"]}
    assert checks["Larm om brand"].startswith("att kontrollera: regel 'fire_of_unknown_object'")
    assert checks["Bråk"] is None  # the key is only there when set
    headings = {
        "text": "ATT KONTROLLERA",
        "markdown": "## Att kontrollera",
        "terminal": "Att kontrollera",
        "html": ">Att kontrollera</h2>",
    }
    for fmt, heading in headings.items():
        output = render(briefing, fmt)
        assert heading in output, fmt
        # shown apart: after the serious incidents, before the other local ones
        assert output.index(heading) < output.index("Bråk"), fmt
        assert output.count("Larm om brand") == 1, fmt
