"""Every kind of entry the audit log holds, with the Vietnamese label people read.

`record` refuses a code that is not here, so a new write cannot slip into the log unnamed, and the
history page, the province's log and the CSV all take their labels from this one table.
"""

ACTIONS: dict[str, str] = {
    # the province and its units
    "province.created": "Tạo tỉnh",
    "province.merged": "Nhận tỉnh hợp nhất vào",
    "province.merged_into": "Hợp nhất vào tỉnh khác",
    "unit_kind.created": "Thêm loại đơn vị",
    "unit.created": "Thêm đơn vị",
    "unit.updated": "Sửa đơn vị",
    "unit.alias_added": "Thêm tên cũ của đơn vị",
    "units.merged": "Sáp nhập đơn vị",
    # people and roles
    "membership.added": "Giao vai trò",
    "membership.removed": "Bỏ vai trò",
    "invitation.sent": "Mời nhận vai trò",
    "invitation.accepted": "Nhận lời mời",
    "invitation.declined": "Từ chối lời mời",
    # the catalogue
    "framework.created": "Tạo bộ chỉ số",
    "framework.updated": "Sửa thông tin bộ chỉ số",
    "framework.imported": "Nhập bộ chỉ số từ tệp",
    "framework.cloned": "Sao chép bộ chỉ số sang năm mới",
    "framework.activated": "Áp dụng bộ chỉ số",
    "framework.retired": "Ngừng áp dụng bộ chỉ số",
    "framework.deleted": "Xoá bộ chỉ số nháp",
    "indicator.created": "Thêm chỉ tiêu",
    "indicator.updated": "Sửa chỉ tiêu",
    "indicator.deleted": "Xoá chỉ tiêu",
    # periods, appraisal teams
    "period.created": "Tạo kỳ đánh giá",
    "period.updated": "Sửa kỳ đánh giá",
    "period.opened": "Mở kỳ đánh giá",
    "period.lead_set": "Chọn tổ trưởng tổ thẩm định",
    "assignment.added": "Phân công thẩm định",
    "assignment.removed": "Bỏ phân công thẩm định",
    # one unit's assessment
    "assessment.created": "Tạo bản đánh giá",
    "assessment.imported": "Nhập kết quả cùng bộ chỉ số",
    "assessment.extension": "Gia hạn tự đánh giá",
    "answer.saved": "Lưu số liệu",
    "answers.carried_over": "Chép số liệu năm trước",
    "answer.carry_confirmed": "Xác nhận số liệu chép từ năm trước",
    "answers.workbook_imported": "Nhập số liệu từ tệp Excel",
    "evidence.added": "Thêm tài liệu kiểm chứng",
    "evidence.removed": "Xoá tài liệu kiểm chứng",
    "assessment.submitted": "Gửi bản tự đánh giá",
    "assessment.withdrawn": "Rút lại bản tự đánh giá",
    "assessment.not_reported": "Ghi nhận không báo cáo",
    "assessment.round1.started": "Bắt đầu thẩm định lần 1",
    "assessment.round1.closed": "Đóng vòng thẩm định lần 1: sang thẩm định lần 2",
    "assessment.returned": "Đóng vòng thẩm định lần 1: chờ giải trình",
    "assessment.round1.confirm": "Thẩm định lần 1: Xác nhận",
    "assessment.round1.adjust": "Thẩm định lần 1: Điều chỉnh điểm",
    "assessment.round1.request": "Thẩm định lần 1: Yêu cầu bổ sung tài liệu",
    "assessment.explanation.saved": "Lưu giải trình",
    "assessment.explained": "Gửi giải trình",
    "assessment.round2.started": "Bắt đầu thẩm định lần 2",
    "assessment.round2.confirm": "Thẩm định lần 2: Xác nhận",
    "assessment.round2.adjust": "Thẩm định lần 2: Điều chỉnh điểm",
    "assessment.round2.withdraw": "Thẩm định lần 2: Rút điều chỉnh (về điểm tự đánh giá)",
    "assessment.signed": "Ký xác nhận kết quả thẩm định",
    "assessment.finalised": "Chốt kết quả",
    "assessment.reopened": "Mở lại kết quả",
    "assessment.published": "Công bố kết quả",
    # results and publication
    "results.imported": "Nhập kết quả từ tệp",
    "publication.requested": "Yêu cầu công bố",
    "publication.started": "Bắt đầu tạo báo cáo công bố",
    "publication.retried": "Thử lại công bố",
    "publication.failed": "Công bố bị lỗi",
    "publication.published": "Công bố kết quả năm",
    "publication.discarded": "Huỷ yêu cầu công bố bị lỗi",
    # the province's national DTI and its improvement plan (national/)
    "national.result_saved": "Ghi kết quả DTI cấp tỉnh",
    "national.result_imported": "Nhập kết quả DTI cấp tỉnh từ tệp",
    "national.ranks_saved": "Ghi thứ hạng các trụ cột",
    "national.peers_saved": "Ghi tổng điểm của các tỉnh khác",
    "plan.created": "Tạo kế hoạch nâng cao chỉ số",
    "plan.updated": "Sửa kế hoạch nâng cao chỉ số",
    "task.created": "Thêm nhiệm vụ của kế hoạch",
    "task.updated": "Sửa nhiệm vụ của kế hoạch",
    "task.deleted": "Xoá nhiệm vụ của kế hoạch",
    "targets.saved": "Ghi chỉ tiêu theo năm",
    "report.submitted": "Gửi báo cáo tiến độ",
    "report.updated": "Sửa báo cáo tiến độ",
    "report.evidence_added": "Thêm tài liệu cho báo cáo tiến độ",
}


def action_label(action: str) -> str:
    """The Vietnamese label of `action`; an unknown code (an entry of an older version) as itself."""
    return ACTIONS.get(action, action)
