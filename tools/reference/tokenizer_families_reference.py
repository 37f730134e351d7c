#!/usr/bin/env python3
"""Tokenizer conformance fixtures for the families' pre-tokenizers (Tests/LLMTests/Fixtures/families/tokenizers/).

Setup/run: as families_reference.py (.venv-families with PyPI `tokenizers`).

No real vocabulary is packaged on PyPI for Llama-3.1, Qwen3 or Mistral NeMo, so for each pre-tokenizer a byte-level
BPE is trained here with PyPI `tokenizers` (HF, Rust) on a small multilingual text, using that family's split regex
as in its tokenizer.json (Split(regex, isolated) then ByteLevel without its own regex) and the family's special
tokens. The fixture holds the tokenizer.json and, for hard strings, HF's pre-tokenized pieces and token ids.
  llama-bpe  Llama 3 / 3.1    (?i:'s|...)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|...
  qwen2      Qwen2/2.5/3      the same with \\p{N} (single digits)
  tekken     Mistral NeMo     case-split letters ([Lu Lt Lm Lo M]*[Ll Lm Lo M]+ | ...), \\p{N}, [\\r\\n/]*
"""
import json, os
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers, Regex, __version__

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests/LLMTests/Fixtures/families/tokenizers")
REGEX = {
    "llama-bpe": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "qwen2": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "tekken": (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
               r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"),
}
SPECIALS = {
    "llama-bpe": ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
    "qwen2": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
    "tekken": ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"],
}
CORPUS = [
    "The quick brown fox jumps over the lazy dog. I'm sure they've seen it; we'll see, won't we?",
    "HTTPServer helloWorld getHTTPResponseCode XMLHttpRequest iPhone McDonald's O'Neil",
    "Numbers 1234567890, 3.14159 and 1,000,000 people; 2024-07-23 at 10:45.",
    "Ünïcödé — ça va? naïve café résumé Straße ΑΒΓ αβγ Привет мир 日本語のテキスト 한국어 😀👍",
    "def f(x):\n    return x**2  # comment\r\n\tpath/to/file.txt\n\n\nhttps://example.com/a/b?c=d",
    "१२३ ٣٤٥ Ⅻ ½ ² e\u0301 a\u0308o\u0302 ﬁ",
] * 4
BOS = {"llama-bpe": "<|begin_of_text|>", "tekken": "<s>"}
HARD = [
    "Hello world", "  leading spaces and trailing  ", "DON'T You'RE it'S we'LL I'd", "12345678 9.99 1,000,000",
    "HTTPServer helloWorld getHTTPResponseCode iPhone ABC aBC AbC", "McDonald's O'Neil",
    "a\n\n\n  b\r\n c", "x \t\ny", "!!!\n\nHello", "  \n", "\tTabbed\tword", "path/to/file.txt\n/usr/bin/\n",
    "e\u0301cole a\u0308 \u0301x na\u0308ive", "Ünïcödé — ça va? 日本語のテキスト 😀👍", "Привет, Мир! ΑΒΓαβγ",
    "١٢٣ ४५६ Ⅻ ½ ²", "def f(x):\n    return x**2  # c\n", "email@example.com https://example.com/a?b=1&c=2",
    "   ", "a  b   c    d", "'s 't 're 've 'm 'll 'd ''", "ǅungla ǈ ǋ", "ʰello ˈstress",
]


def build(name):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(REGEX[name]), behavior="isolated"),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=700, special_tokens=SPECIALS[name], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in REGEX:
        tok = build(name)
        tok.save(os.path.join(OUT, f"{name}.tokenizer.json"))
        cases = []
        for s in HARD:
            ids = tok.encode(s, add_special_tokens=False).ids
            assert tok.decode(ids, skip_special_tokens=False) == s, (name, s)
            cases.append({"text": s, "pieces": [p for p, _ in tok.pre_tokenizer.pre_tokenize_str(s)], "ids": ids})
        special = SPECIALS[name][1] + "Hi" + SPECIALS[name][-1]
        cases.append({"text": special, "pieces": None, "ids": tok.encode(special, add_special_tokens=False).ids})
        if name in BOS:  # Llama 3 / Mistral add BOS through a TemplateProcessing post-processor
            from tokenizers import processors
            bos = BOS[name]
            tok.post_processor = processors.Sequence([processors.ByteLevel(trim_offsets=False), processors.TemplateProcessing(
                single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, tok.token_to_id(bos))])])
            tok.save(os.path.join(OUT, f"{name}.tokenizer.json"))
            cases.append({"text": "Hello world", "pieces": None, "ids": tok.encode("Hello world").ids, "add_bos": True})
        with open(os.path.join(OUT, f"{name}.cases.json"), "w") as f:
            json.dump({"source": f"PyPI tokenizers {__version__}", "pre_tokenizer": name, "regex": REGEX[name],
                       "cases": cases}, f, ensure_ascii=False, indent=1)
        print(name, tok.get_vocab_size(), "tokens,", len(cases), "cases")


if __name__ == "__main__":
    main()
