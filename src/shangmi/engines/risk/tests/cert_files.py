"""A small CERT r6-layout data set written into a folder, with the events it must load into.

Times are local (Asia/Shanghai, UTC+8): L2/L3 sit either side of local midnight, and L3 falls on
2010-01-02 in UTC but on 2010-01-03 in Shanghai."""

from __future__ import annotations

from pathlib import Path

FILES = {
    "logon.csv": """id,date,user,pc,activity
{L1},01/02/2010 07:59:00,AAA0001,PC-0001,Logon
{L2},01/02/2010 23:30:00,AAA0001,PC-0001,Logoff
{L3},01/03/2010 00:10:00,BBB0002,PC-0002,Logon
{L4},13/45/2010 00:00:00,BBB0002,PC-0002,Logon
{L5},01/03/2010 08:00:00,,PC-0002,Logon
{L6},01/03/2010 08:00:00,BBB0002,PC-0002,Unlock
""",
    "device.csv": """id,date,user,pc,file_tree,activity
{D1},01/02/2010 10:00:00,AAA0001,PC-0001,R:\\;R:\\docs,Connect
{D2},01/02/2010 10:09:00,AAA0001,PC-0001,,Disconnect
""",
    "file.csv": """id,date,user,pc,filename,activity,to_removable_media,from_removable_media,content
{F1},01/02/2010 10:01:00,AAA0001,PC-0001,C:\\secret\\plan.docx,File Open,False,False,"D0-CF-11 some, text"
{F2},01/02/2010 10:02:00,AAA0001,PC-0001,R:\\plan.docx,File Copy,True,False,x
{F3},01/02/2010 10:03:00,AAA0001,PC-0001,R:\\notes.txt,File Write,True,False,x
{F4},01/02/2010 10:04:00,AAA0001,PC-0001,C:\\tmp\\a.txt,File Write,False,False,x
{F5},01/02/2010 10:05:00,AAA0001,PC-0001,C:\\tmp\\a.txt,File Delete,False,False,x
{F6},01/02/2010 10:06:00,AAA0001,PC-0001,R:\\b.txt,File Open,False,True,x
""",
    "email.csv": """id,date,user,pc,to,cc,bcc,from,activity,size,attachments,content
{E1},01/02/2010 11:00:00,AAA0001,PC-0001,Bob.Smith@DTAA.com;eve@Gmail.com,carl@dtaa.com,x@Rival.CN,aaa@dtaa.com,Send,45634,C:\\a\\plan.docx(1234);C:\\b c\\spec.pdf(55),hello
{E2},01/02/2010 11:05:00,AAA0001,PC-0001,aaa@dtaa.com,,,bob@dtaa.com,View,100,,hi
{E3},01/02/2010 11:10:00,BBB0002,PC-0002,friend@yahoo.com,,,bbb@dtaa.com,Send,2048,,"quoted, with a comma"
""",
    "http.csv": """id,date,user,pc,url,activity,content
{H1},01/02/2010 12:00:00,AAA0001,PC-0001,http://WWW.Dropbox.com/upload/x?y=1,WWW Upload,file upload
{H2},01/02/2010 12:01:00,AAA0001,PC-0001,https://user:pw@Mail.Example.org:8443/inbox,WWW Visit,mail
{H3},01/02/2010 12:02:00,BBB0002,PC-0002,www.rival.cn/catalog.pdf,WWW Download,catalogue
{H4},01/02/2010 12:03:00,BBB0002,PC-0002,http://intranet/,WWW Visit,
""",
    "LDAP/2010-01.csv": """employee_name,user_id,email,role,projects,business_unit,functional_unit,department,team,supervisor
Alice Aa,AAA0001,alice@dtaa.com,Engineer,P1,1,1 - R&D,Design,Team A,Carl Cc
Bob Bb,BBB0002,bob@dtaa.com,Salesman,,1,2 - Sales,Sales,Team B,
""",
    "LDAP/2010-02.csv": """employee_name,user_id,email,role,projects,business_unit,functional_unit,department,team,supervisor
Alice Aa,AAA0001,alice@dtaa.com,Senior Engineer,P1,1,1 - R&D,Design,Team A,Carl Cc
""",
    "LDAP/readme.txt": "not a snapshot\n",
}

# (file, rows read, rows kept, dropped by reason)
COUNTS = {
    "logon.csv": (6, 3, {"bad_time": 1, "missing_user": 1, "ignored_action": 0, "unknown_action": 1}),
    "device.csv": (2, 1, {"bad_time": 0, "missing_user": 0, "ignored_action": 1, "unknown_action": 0}),
    "file.csv": (6, 5, {"bad_time": 0, "missing_user": 0, "ignored_action": 1, "unknown_action": 0}),
    "email.csv": (3, 2, {"bad_time": 0, "missing_user": 0, "ignored_action": 1, "unknown_action": 0}),
    "http.csv": (4, 4, {"bad_time": 0, "missing_user": 0, "ignored_action": 0, "unknown_action": 0}),
}
KEPT = sum(kept for _, kept, _ in COUNTS.values())


def write_cert(folder: Path, only: tuple[str, ...] | None = None) -> Path:
    """Write the data set (or only the named files) into ``folder``; returns it."""
    for name, text in FILES.items():
        if only is not None and name not in only:
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder
