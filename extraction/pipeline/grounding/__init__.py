"""Grounding for STEP 5 (citations) and STEP 6 (confidence): ``evidence`` finds the text that
supports each leaf of an engine result, using ``locate`` (quotes and values in page text),
``typed`` (a number or date in any printed format) and ``pages`` (page text read once);
``calibration`` measures ECE and fits the tables ``extraction.pipeline.confidence`` stores."""
