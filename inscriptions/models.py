# Applications, their pipeline and outcomes arrive with the enrolment work.
