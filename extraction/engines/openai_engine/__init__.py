"""The OpenAI-compatible engine (vLLM, Ollama, llama.cpp server, OpenAI itself)."""

from extraction.engines.openai_engine.engine import OpenAIEngine

__all__ = ["OpenAIEngine"]
