"""STEP 3: engines turn a document and a schema into values with their locations."""
