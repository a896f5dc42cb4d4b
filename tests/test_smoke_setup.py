from accounts.scope import department_ids_of


def test_a_contributor_works_only_in_their_department(contrib_a, dept_a, dept_b):
    assert department_ids_of(contrib_a) == {dept_a.pk}


def test_national_roles_work_in_every_department(cm, dept_a, dept_b, national):
    assert department_ids_of(cm) == {dept_a.pk, dept_b.pk, national.pk}
