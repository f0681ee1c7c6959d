"""The OpenAI-compatible engine (vLLM, Ollama, llama.cpp server, OpenAI itself)."""

from extraction.pipeline.engines.openai.engine import OpenAIEngine

__all__ = ["OpenAIEngine"]
