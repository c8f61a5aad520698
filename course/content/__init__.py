"""The course's content and its data: cases, responses, glossary, misconceptions, lessons' items, slides."""
