"""Services of disclosure on request (依申请公开): the only writers of its models.

- ``submission``: ``request_submit_online``, ``request_register``, ``request_confirm_receipt``;
- ``workflow``: assignment, 补正, consultation, extension, fees, reply / legal review / approval,
  delivery, archive, withdrawal, reopening, notes;
- ``personal_data``: ``reveal_personal_data``, ``rotate_keys``;
- ``attachments``: ``attachment_add``;
- ``deadlines``: ``recompute_deadline``, ``recompute_open_requests``, ``deadline_state``.
"""
