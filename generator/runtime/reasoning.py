"""Reasoning models' <think> blocks, split off the answer as Dify's LLM node splits them."""

import re


def _split_reasoning(text: str) -> tuple:
    """(answer, reasoning): the text without its <think>...</think> blocks, and what they held,
    as Dify's LLM node splits them (reasoning_format "separated"); an unclosed <think> holds the
    rest of the text. A text without any is the answer, as it is."""
    thoughts = []

    def take(match: re.Match) -> str:
        thoughts.append(match.group(1).strip())
        return ""

    answer = re.sub(
        r"<think[^>]*>(.*?)</think>", take, text, flags=re.IGNORECASE | re.DOTALL
    )
    unclosed = re.search(r"<think[^>]*>", answer, flags=re.IGNORECASE)
    if unclosed:
        thoughts.append(answer[unclosed.end() :].strip())
        answer = answer[: unclosed.start()]
    if not thoughts:
        return text, ""
    return answer.strip(), "\n".join(thoughts)
