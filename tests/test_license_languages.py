# ruff: noqa: RUF001
"""One small test page per language of the phrase table: a grant of the page (with "except
where otherwise noted", the CC name as that language's deed writes it), the photos only, an
exception for some images, the code only, and a sentence that talks about licenses without
granting one. Adding a language to crawler/signals/data/license_phrases.yaml means adding a
row here."""

from __future__ import annotations

from typing import Any

import pytest
from parsel import Selector
from test_license_detect import make_policy

from crawler.gates import license as license_gate
from crawler.signals import license_detect as ld
from crawler.signals import license_text as lt
from crawler.signals.license_model import License

PAGE = "https://site.example/notes/page.html"

#: lang -> (page grant, its SPDX id, photos only, some images, code only, talk, not a grant)
PAGES: dict[str, tuple[str, str, str, str, str, str]] = {
    "en": ("All content on this site is licenced under the Creative Commons Attribution 4.0 "
           "International Licence.", "CC-BY-4.0",
           "Photos on this blog are licensed under CC BY-NC 4.0.",
           "Some images are licensed under CC BY-SA 4.0.",
           "The source code is licensed under CC0.",
           "Many photographers often publish under CC BY 4.0."),
    "de": ("Sofern nicht anders angegeben, stehen die Inhalte dieser Website unter der Lizenz "
           "Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 4.0 "
           "International.", "CC-BY-SA-4.0",
           "Alle Fotos auf dieser Website stehen unter CC BY-NC 4.0.",
           "Einige Bilder stehen unter CC BY-SA 4.0.",
           "Der Quellcode dieser Seite steht unter CC0.",
           "Gemeinschaftsinhalte sind unter liberalen Lizenzen lizenziert (z.B. CC0)."),
    "fr": ("Sauf mention contraire, le contenu de ce site est mis à disposition selon les termes "
           "de la Licence Creative Commons Attribution - Partage dans les Mêmes Conditions 4.0 "
           "International.", "CC-BY-SA-4.0",
           "Les photos de ce site sont publiées sous licence CC BY-NC 4.0.",
           "Certaines images sont sous licence CC BY-SA 4.0.",
           "Le code source est publié sous licence CC0.",
           "Si vous le souhaitez, vous pouvez publier sous licence CC BY 4.0."),
    "es": ("Salvo que se indique lo contrario, el contenido de este sitio está bajo una licencia "
           "de Creative Commons Reconocimiento 4.0 Internacional.", "CC-BY-4.0",
           "Las fotografías de este blog están bajo licencia CC BY-NC 4.0.",
           "Algunas imágenes están bajo licencia CC BY-SA 4.0.",
           "El código fuente está bajo licencia CC0.",
           "El contenido de la comunidad está licenciado bajo licencias liberales (ej. CC0)."),
    "it": ("Salvo diversa indicazione, i contenuti di questo sito sono distribuiti con Licenza "
           "Creative Commons Attribuzione - Non commerciale 4.0 Internazionale.", "CC-BY-NC-4.0",
           "Le foto di questo sito sono rilasciate sotto licenza CC BY-NC 4.0.",
           "Alcune immagini sono rilasciate sotto licenza CC BY-SA 4.0.",
           "Il codice sorgente è rilasciato sotto licenza CC0.",
           "Il contenuto della comunità è rilasciato sotto licenze libere (es. CC0)."),
    "pt": ("Exceto onde indicado o contrário, o conteúdo deste site está licenciado com uma "
           "Licença Creative Commons - Atribuição-CompartilhaIgual 4.0 Internacional.",
           "CC-BY-SA-4.0",
           "As fotos deste site estão sob a licença CC BY-NC 4.0.",
           "Algumas imagens estão sob licença CC BY-SA 4.0.",
           "O código-fonte está sob licença CC0.",
           "O conteúdo da comunidade é licenciado sob licenças públicas livres (ex. CC0)."),
    "nl": ("Tenzij anders vermeld, valt alle inhoud onder een Creative Commons "
           "Naamsvermelding-GelijkDelen 4.0 Internationaal-licentie.", "CC-BY-SA-4.0",
           "Alle foto's op deze website vallen onder CC BY-NC 4.0.",
           "Sommige afbeeldingen vallen onder CC BY-SA 4.0.",
           "De broncode valt onder CC0.",
           "Veel fotografen publiceren vaak onder CC BY 4.0."),
    "pl": ("O ile nie zaznaczono inaczej, treści tej witryny są dostępne na licencji Creative "
           "Commons Uznanie autorstwa 4.0 Międzynarodowe.", "CC-BY-4.0",
           "Zdjęcia w tym serwisie są dostępne na licencji CC BY-NC 4.0.",
           "Niektóre zdjęcia są dostępne na licencji CC BY-SA 4.0.",
           "Kod źródłowy jest dostępny na licencji CC0.",
           "Jeśli remiksujesz ten utwór, musisz go udostępnić na tej samej licencji CC BY-SA "
           "4.0."),
    "ru": ("Если не указано иное, материалы сайта доступны по лицензии Creative Commons "
           "«Attribution» («Атрибуция») 4.0 Всемирная.", "CC-BY-4.0",
           "Фотографии на сайте доступны по лицензии CC BY-NC 4.0.",
           "Некоторые изображения доступны по лицензии CC BY-SA 4.0.",
           "Исходный код доступен по лицензии CC0.",
           "Контент сообщества лицензирован под свободными лицензиями (например, CC0)."),
    "ja": ("特に記載のない限り、このサイトのコンテンツは"
           "クリエイティブ・コモンズ 表示 - 継承 4.0 国際 ライセンスの下に提供されています。",
           "CC-BY-SA-4.0",
           "このサイトの写真は CC BY-NC 4.0 ライセンスの下に提供されています。",
           "一部の画像は CC BY-SA 4.0 ライセンスの下に提供されています。",
           "ソースコードは CC0 で公開されています。",
           "例えば CC BY 4.0 などのライセンスがあります。"),
    "zh": ("除特别声明外，本站所有文章均采用 "
           "知识共享署名-非商业性使用-相同方式共享 4.0 国际许可协议 进行许可。", "CC-BY-NC-SA-4.0",
           "本站图片采用 CC BY-NC 4.0 许可协议。",
           "部分图片采用 CC BY-SA 4.0 许可协议。",
           "源代码采用 CC0 许可协议。",
           "例如，许多作品采用 CC BY 4.0 许可协议。"),
    "ko": ("별도로 명시되지 않는 한, 이 블로그의 모든 글은 크리에이티브 커먼즈 "
           "저작자표시-비영리-동일조건변경허락 4.0 국제 라이선스에 따라 이용할 수 있습니다.",
           "CC-BY-NC-SA-4.0",
           "이 블로그의 사진은 CC BY-NC 4.0 라이선스에 따라 이용할 수 있습니다.",
           "일부 이미지는 CC BY-SA 4.0 라이선스에 따라 이용할 수 있습니다.",
           "소스 코드는 CC0 라이선스에 따라 이용할 수 있습니다.",
           "예를 들어 많은 사진이 CC BY 4.0 라이선스에 따라 배포됩니다."),
}


def page(lang: str, sentence: str, region: str = "footer") -> str:
    """A page in ``lang``: an article of running text and ``sentence`` in ``region``."""
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Notes'
            f"</title></head><body><article><h1>Notes</h1><p>{filler}</p>"
            f'<img src="/img/a.jpg" alt="a" width="400"></article>'
            f"<{region}><p>{sentence}</p></{region}></body></html>")


def statements(html: str) -> list[ld.LicenseEvidence]:
    return [e for e in ld.detect(PAGE, {}, Selector(text=html)) if e.role != ld.NOTICE]


def decide(html: str) -> Any:
    found = ld.detect(PAGE, {}, Selector(text=html))
    decision, _ = license_gate.check(found, [], make_policy(), "research")
    return decision


def spdx(e: ld.LicenseEvidence) -> str | None:
    return e.license.spdx if isinstance(e.license, License) else None


@pytest.mark.parametrize("lang", list(PAGES))
def test_page_grant(lang: str) -> None:
    sentence, want = PAGES[lang][:2]
    html = page(lang, sentence)
    grants = [e for e in statements(html) if e.role == ld.GRANT and e.scope == ld.SCOPE_PAGE]
    assert {spdx(e) for e in grants} == {want}, grants
    assert all(e.part == "footer" for e in grants)
    decision = decide(html)
    assert decision.evidence.get("spdx") == want or decision.reason == "license_not_accepted"


@pytest.mark.parametrize("lang", list(PAGES))
def test_photos_only_license_the_images_not_the_page(lang: str) -> None:
    found = statements(page(lang, PAGES[lang][2]))
    assert not [e for e in found if e.role == ld.GRANT and e.scope == ld.SCOPE_PAGE]
    assert [e.assets for e in found if e.role == ld.GRANT] == [(ld.ALL_IMAGES,)]
    assert decide(page(lang, PAGES[lang][2])).reason == "license_missing"


@pytest.mark.parametrize("lang", list(PAGES))
def test_some_images_are_an_exception(lang: str) -> None:
    found = statements(page(lang, PAGES[lang][3]))
    exceptions = [e for e in found if e.role == ld.GRANT]
    assert [(e.scope, e.assets, e.part) for e in exceptions] \
        == [(ld.SCOPE_ASSET, (ld.SOME_IMAGES,), "exception")]


@pytest.mark.parametrize("lang", list(PAGES))
def test_code_only_licenses_something_else(lang: str) -> None:
    found = statements(page(lang, PAGES[lang][4]))
    assert [(e.scope, spdx(e)) for e in found if e.role == ld.GRANT] \
        == [(ld.SCOPE_OTHER, "CC0-1.0")]


@pytest.mark.parametrize("lang", list(PAGES))
def test_talk_about_licenses_grants_nothing(lang: str) -> None:
    for region in ("footer", "div"):
        found = statements(page(lang, PAGES[lang][5], region))
        assert not [e for e in found if e.role == ld.GRANT], (region, found)


@pytest.mark.parametrize(("text", "want"), [
    ("Namensnennung - Nicht-kommerziell - Keine Bearbeitungen 4.0 International",
     "CC-BY-NC-ND-4.0"),
    ("Attribution - Pas d’Utilisation Commerciale - Pas de Modification 4.0 International",
     "CC-BY-NC-ND-4.0"),
    ("Reconocimiento-NoComercial-SinObraDerivada 3.0 España", "LicenseRef-CC-BY-NC-ND-3.0-ES"),
    ("Attribuzione - Condividi allo stesso modo 3.0 Italia", "LicenseRef-CC-BY-SA-3.0-IT"),
    ("Atribuição-NãoComercial-SemDerivações 4.0 Internacional", "CC-BY-NC-ND-4.0"),
    ("Naamsvermelding-NietCommercieel-GelijkDelen 3.0 Nederland",
     "LicenseRef-CC-BY-NC-SA-3.0-NL"),
    ("Uznanie autorstwa-Użycie niekomercyjne 4.0 Międzynarodowe", "CC-BY-NC-4.0"),
    ("«Атрибуция — Некоммерческое использование — Без производных произведений» 4.0 "
     "Всемирная", "CC-BY-NC-ND-4.0"),
])
def test_deed_names_after_the_cc_word(text: str, want: str) -> None:
    [name] = lt.find_names(f"Creative Commons {text}")
    assert isinstance(name.license, License) and name.license.spdx == want


@pytest.mark.parametrize(("text", "want"), [
    ("クリエイティブ・コモンズ 表示 - 非営利 - 改変禁止 4.0 国際", "CC-BY-NC-ND-4.0"),
    ("署名-禁止演绎 4.0 国际许可协议", "CC-BY-ND-4.0"),
    ("創用 CC 姓名標示-非商業性-相同方式分享 4.0 國際 授權條款", "CC-BY-NC-SA-4.0"),
    ("저작자표시-변경금지 4.0 국제 라이선스", "CC-BY-ND-4.0"),
])
def test_cjk_deed_names(text: str, want: str) -> None:
    [name] = lt.find_names(text)
    assert isinstance(name.license, License) and name.license.spdx == want


@pytest.mark.parametrize("text", ["表示する", "署名", "Namensnennung 4.0", "表示"])
def test_element_words_alone_are_no_names(text: str) -> None:
    assert lt.find_names(text) == []


def test_an_unversioned_deed_name_is_a_family() -> None:
    [name] = lt.find_names("テキストはクリエイティブ・コモンズ 表示-継承"
                           "ライセンスの下で利用可能です")
    assert not isinstance(name.license, License) and name.license.family == "by-sa"


#: lang -> a page grant followed by a sentence that takes reused figures out of it
EXCLUSIONS: dict[str, str] = {
    "en": "The text is licensed under CC BY 4.0. The figures reused from other sources don’t "
          "fall under this license.",
    "de": "Die Texte stehen unter CC BY 4.0. Abbildungen aus anderen Quellen fallen nicht unter "
          "diese Lizenz.",
    "fr": "Le texte est mis à disposition selon les termes de la licence CC BY 4.0. Les images "
          "reprises d'autres sources ne sont pas couvertes par cette licence.",
    "es": "El texto está bajo la licencia CC BY 4.0. Las imágenes de otras fuentes no están "
          "cubiertas por esta licencia.",
    "it": "Il testo è distribuito con licenza CC BY 4.0. Le immagini di altre fonti non sono "
          "coperte da questa licenza.",
    "pt": "O texto está licenciado sob CC BY 4.0. As imagens de outras fontes não estão "
          "cobertas por esta licença.",
    "nl": "De tekst valt onder de licentie CC BY 4.0. Afbeeldingen van andere bronnen vallen "
          "niet onder deze licentie.",
}


@pytest.mark.parametrize("lang", list(EXCLUSIONS))
def test_media_taken_out_of_the_page_license_are_an_exception_without_a_license(
        lang: str) -> None:
    html = page(lang, EXCLUSIONS[lang])
    found = statements(html)
    assert [(e.scope, spdx(e)) for e in found if e.role == ld.GRANT] \
        == [(ld.SCOPE_PAGE, "CC-BY-4.0"), (ld.SCOPE_ASSET, None)]
    [exception] = [e for e in found if e.scope == ld.SCOPE_ASSET]
    assert exception.assets == (ld.SOME_IMAGES,) and exception.part == "exception"
    assert decide(html).evidence["spdx"] == "CC-BY-4.0"
