"""Matching benchmark: labelled data generator and the accuracy/speed runner."""
