"""Forensics in the demo: the enterprise's registered material (a source file, a process description and
a customer list) in its forensics folder, fingerprinted; and a "seized disk" holding a renamed copy of
the code, a reworded copy of the process and part of the customer list, scanned against it, so 鉴定辅助
opens with a finished scan, its pairs and its report. Made through the real actions and the worker's own
steps. Loaded once (skipped if the enterprise has an index)."""

from __future__ import annotations

from shangmi.apps.accounts.models import Membership, Organisation
from shangmi.apps.forensics import actions, pipeline, storage
from shangmi.apps.forensics.models import FingerprintIndex

CONTROLLER = """package com.lanxi.furnace;

/** Temperature controller of the annealing furnace: PID with anti-windup and ramp limiting. */
public class FurnaceController {
    private final double kp, ki, kd, rampPerSecond;
    private double integral, lastError, lastOutput;

    public FurnaceController(double kp, double ki, double kd, double rampPerSecond) {
        this.kp = kp; this.ki = ki; this.kd = kd; this.rampPerSecond = rampPerSecond;
    }

    public double step(double setpoint, double measured, double dt) {
        double error = setpoint - measured;
        double candidate = integral + error * dt;
        double derivative = (error - lastError) / dt;
        double output = kp * error + ki * candidate + kd * derivative;
        if (output > 100.0) { output = 100.0; } else if (output < 0.0) { output = 0.0; } else { integral = candidate; }
        double maxStep = rampPerSecond * dt;
        if (output - lastOutput > maxStep) { output = lastOutput + maxStep; }
        if (lastOutput - output > maxStep) { output = lastOutput - maxStep; }
        lastError = error;
        lastOutput = output;
        return output;
    }
}
"""

RENAMED = (
    CONTROLLER.replace("FurnaceController", "HeatLoop")
    .replace("integral", "acc")
    .replace("lastError", "prevErr")
    .replace("com.lanxi.furnace", "com.example.heat")
)

PROCESS = """退火工艺要点
一、装炉温度不高于三百摄氏度，升温速率每小时不超过八十摄氏度。
二、保温阶段炉温控制在八百五十摄氏度正负五度，保温时间按壁厚每毫米一点五分钟计算。
三、随炉冷却至五百摄氏度后出炉空冷，出炉前记录炉内各测点温度。
四、氮气保护流量每小时十二立方米，露点低于零下四十摄氏度。
"""

REWORDED = "笔记\n" + PROCESS.replace("退火工艺要点", "热处理记录").replace("。", "；")

CUSTOMERS = """客户名称,联系人,手机,邮箱
绍兴华锐精密机械有限公司,周明,13905750001,zhouming@huarui.example
宁波东海轴承有限公司,陈静,13805740002,chenjing@donghai.example
杭州启明自动化设备有限公司,吴磊,13705710003,wulei@qiming.example
嘉兴恒通汽车零部件有限公司,钱芳,13605730004,qianfang@hengtong.example
"""

LEADS = """email,company
zhouming@huarui.example,绍兴华锐精密机械有限公司
wulei@qiming.example,杭州启明自动化设备有限公司
"""


def _write(folder, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def load_forensics(org: Organisation) -> None:
    if FingerprintIndex.objects.filter(organisation=org).exists():
        return
    officer = Membership.objects.select_related("user", "organisation").get(
        organisation=org, user__email="officer@lanxi.example"
    )
    incoming = storage.incoming_dir(org.pk)
    _write(
        incoming / "register",
        {"furnace/FurnaceController.java": CONTROLLER, "退火工艺.txt": PROCESS, "客户名单.csv": CUSTOMERS},
    )
    _write(incoming / "seized", {"work/HeatLoop.java": RENAMED, "notes.md": REWORDED, "leads.csv": LEADS})
    index = actions.index_from_folder(member=officer, name="退火炉技术资料", folder="register")
    pipeline.build_index(index.pk)
    index.refresh_from_db()
    scan = actions.scan_create(member=officer, name="离职人员电脑备份", index=index, suspect="seized")
    pipeline.run_scan(scan.pk)
