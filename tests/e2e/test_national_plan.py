"""The coordinating agency creates a task of the improvement plan for criterion 8.1 (e-ID accounts) owned by
Công an tỉnh with a 50 % target for 2023, and sees its what-if points (issue 12, parts 3 and 5)."""

from playwright.sync_api import expect

from tests.national.test_plan import national, plan  # noqa: F401  (fixtures)


def test_the_admin_creates_the_e_id_task_and_sees_its_whatif_points(world, plan, page, login, snapshot):
    page.set_viewport_size({"width": 1366, "height": 768})
    login("a.quantri")
    page.goto("/tinh-a/dti-cap-tinh/")
    page.get_by_role("link", name="Kế hoạch nâng cao DTI").click()
    page.get_by_test_id("task-create-link").click()

    page.get_by_label("Chỉ số DTI cấp tỉnh").select_option(
        label="8.1 Số lượng người dân có danh tính số/ tài khoản định danh điện tử — đạt 0/20, mất 20 điểm"
              " · chỉ tiêu tính bằng: %")
    page.get_by_label("Nhiệm vụ").fill("Phổ cập tài khoản định danh điện tử cho người dân")
    page.get_by_label("hoặc thêm cơ quan, tổ chức chủ trì mới").fill("Công an tỉnh")
    page.get_by_label("Chỉ tiêu (dòng 2)").fill("50.5")  # an English decimal point: refused with how to write it
    page.get_by_test_id("task-save").click()
    expect(page.get_by_test_id("target-error")).to_contain_text("viết số thập phân bằng dấu phẩy (50,5)")
    expect(page.get_by_label("Năm (dòng 2)")).to_have_value("2023")
    page.get_by_label("Chỉ tiêu (dòng 2)").fill("50")
    page.get_by_label("Hạn hoàn thành").fill("31/12/2023")
    snapshot("form")
    page.get_by_test_id("task-save").click()

    expect(page.get_by_test_id("task-owner")).to_have_text("Công an tỉnh")
    whatif = page.get_by_test_id("task-whatif")
    expect(whatif.locator("tr[data-year='2023']")).to_contain_text("50 %")
    expect(whatif.get_by_test_id("whatif-points")).to_have_text("10,00/20")
    expect(whatif).to_contain_text("+10,00")
    snapshot("task")

    page.get_by_role("link", name="Kế hoạch nâng cao DTI").click()
    projection = page.get_by_test_id("projection")
    expect(projection.locator("tr[data-year='2022'] [data-testid='projected-total']")).to_have_text("398,49")
    expect(projection.locator("tr[data-year='2023'] [data-testid='projected-total']")).to_have_text("408,49")
    expect(projection.locator("tr[data-year='2025'] [data-testid='projected-total']")).to_have_text("408,49")
    expect(page.get_by_test_id("task-list")).to_contain_text("2023: 50 % → 10,00 điểm (+10,00)")
    snapshot("plan")


def test_the_plan_pages_pass_axe_and_fit_a_phone(world, plan, page, login):
    from decimal import Decimal

    from django_scopes import scope

    from national import plan as services
    from tests.e2e.test_accessibility import violations
    from tests.national.test_plan import criterion

    with scope(province=world.province_a):
        police = services.owner_create(province=world.province_a, name="Công an tỉnh", actor=world.admin_a)
        task = services.task_save(plan=plan, indicator=criterion(world.province_a, "8.1"), owner=police,
                                  collaborators=[world.unit_a1], title="Phổ cập tài khoản định danh điện tử",
                                  actor=world.admin_a)
        services.targets_save(task=task, targets=[(2023, Decimal(50))], actor=world.admin_a)
    login("a.quantri")
    problems = []
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800})
        for url in ["/tinh-a/dti-cap-tinh/", f"/tinh-a/dti-cap-tinh/ke-hoach/{plan.pk}/",
                    f"/tinh-a/dti-cap-tinh/ke-hoach/{plan.pk}/nhiem-vu/them/", f"/tinh-a/dti-cap-tinh/nhiem-vu/{task.pk}/",
                    f"/tinh-a/dti-cap-tinh/nhiem-vu/{task.pk}/sua/", f"/tinh-a/dti-cap-tinh/ke-hoach/{plan.pk}/sua/"]:
            assert page.goto(url).ok, url
            problems += [f"{url} @{width}: {v}" for v in violations(page)]
            scroll_width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if scroll_width > inner:
                problems.append(f"{url}: {scroll_width} px wide at {inner} px")
    assert not problems, "\n".join(problems)
