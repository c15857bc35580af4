"""Gongkai (公开): an open-government platform for Chinese government offices."""
