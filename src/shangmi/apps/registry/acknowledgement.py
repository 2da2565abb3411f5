"""The acknowledgement (知悉确认书) a person reads and confirms before a grant becomes active for them.

The words are legal text, kept in Chinese whatever the interface language, and versioned: the version
and the SHA-256 of the exact text shown are stored with each acknowledgement and deposited, so that the
enterprise can later show precisely what the person confirmed (法释〔2020〕7号 art. 6: 签订保密协议或者
对负有保密义务的人员提出保密要求)."""

from __future__ import annotations

import hashlib

from django.utils import translation

ACK_TEXT_VERSION = "grant-ack/2"

_TEMPLATE = """知悉商业秘密确认书（{version}）

本人{person}确认：

一、{organisation}已将编号为 {code} 的“{name}”确定为本单位的商业秘密（密级：{level}；保密期限：{period}），并因“{reason}”授权本人在工作范围内知悉。

二、本人仅为上述事由、在授权范围内使用该商业秘密；不向任何未经授权的人员披露；不以复制、拍摄、摘抄等任何方式带出，不上传至个人设备、个人网盘、个人邮箱或任何外部服务。

三、本人按本单位的保密制度保管所接触的载体；在岗位变动、授权撤销、授权到期或离职时，归还或删除全部载体，并配合离职审计。

四、本人知悉：违反保密义务披露、使用或允许他人使用该商业秘密的，应依法承担民事责任；情节严重的，可能依照《中华人民共和国刑法》第二百一十九条承担刑事责任。

五、上述保密义务不因授权撤销、到期或本人离职而终止，至该信息依法解密或已为公众所知悉时止。

本确认由本人以自己的账号登录后在线作出，确认的时间、IP 地址及本确认书的摘要将存证。
"""


def acknowledgement_text(grant, person_name: str) -> str:
    """The exact words, the same in every interface language (the labels are rendered in Chinese)."""
    secret = grant.secret
    with translation.override("zh-hans"):
        return _render(grant, secret, person_name)


def _render(grant, secret, person_name: str) -> str:
    return _TEMPLATE.format(
        version=ACK_TEXT_VERSION,
        person=person_name,
        organisation=secret.organisation.name,
        code=secret.code,
        name=secret.name,
        level=str(secret.get_level_display()),
        period=str(secret.period_display),
        reason=grant.reason,
    )


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
